// vite.config.js — builds the console into web/dist, served by `yijian serve --web web/dist`.
// `npm run dev` proxies the API to a running yijian (YIJIAN_URL, default http://127.0.0.1:8080).
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';
import { readdirSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync, brotliCompressSync, constants as zc } from 'node:zlib';

const api = process.env.YIJIAN_URL ?? 'http://127.0.0.1:8080';

// Precompression at build time (Node's own zlib: no extra package): every text file of 1 KB or more
// gets name.gz (gzip -9) and name.br (brotli, quality 11) beside it, kept only when smaller. The
// server (src/platform/http/static.c) loads them with the file and sends one as Content-Encoding
// when the browser's Accept-Encoding allows it.
function precompress() {
  let outDir;
  const TEXT = /\.(js|mjs|css|html|svg|json|txt)$/;
  const walk = (dir) => readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
  return {
    name: 'yijian-precompress',
    apply: 'build',
    configResolved(c) { outDir = path.resolve(c.root, c.build.outDir); },
    closeBundle() {
      for (const file of walk(outDir)) {
        if (!TEXT.test(file)) continue;
        const raw = readFileSync(file);
        if (raw.length < 1024) continue;
        const gz = gzipSync(raw, { level: 9 });
        const br = brotliCompressSync(raw, { params: { [zc.BROTLI_PARAM_QUALITY]: 11, [zc.BROTLI_PARAM_SIZE_HINT]: raw.length } });
        if (gz.length < raw.length) writeFileSync(file + '.gz', gz);
        if (br.length < raw.length) writeFileSync(file + '.br', br);
      }
    },
  };
}

export default defineConfig({
  base: '/',
  plugins: [vue(), precompress()],
  server: {
    proxy: {
      '/api': { target: api, changeOrigin: false },
      '/healthz': { target: api },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 1200,
    rolldownOptions: {
      output: {
        // The large libraries each get their own long-cached chunk; ECharts is only loaded by the
        // pages that draw charts (they are lazy routes).
        codeSplitting: {
          groups: [
            { name: 'echarts', test: /node_modules[\\/](echarts|zrender|tslib)[\\/]/, priority: 20 },
            {
              name: 'element-plus',
              test: /node_modules[\\/](element-plus|@element-plus|@vueuse|@floating-ui|@popperjs|async-validator|dayjs|lodash-es|lodash-unified|memoize-one|normalize-wheel-es|@ctrl)[\\/]/,
              priority: 10,
            },
            { name: 'vue', test: /node_modules[\\/](vue|@vue|vue-router)[\\/]/, priority: 30 },
          ],
        },
      },
    },
  },
});
