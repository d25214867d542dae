// vite.config.js — builds the console into web/dist, served by `yijian serve --web web/dist`.
// `npm run dev` proxies the API to a running yijian (YIJIAN_URL, default http://127.0.0.1:8080).
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

const api = process.env.YIJIAN_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  base: '/',
  plugins: [vue()],
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
