// Printable documents (文书) of the console: a capability's route issues the document once (its 文号
// allocated then) and answers {id, number, title, pdf_url}; asking again answers the same one. This
// issues (or finds) it and downloads the stored PDF.
import { ElMessage } from 'element-plus';
import { api, download } from './api.js';

export async function issueAndDownload(path) {
  const doc = await api.post(path);
  const name = await download(doc.pdf_url, undefined, `${doc.title}-${doc.number}.pdf`);
  ElMessage.success(`已生成${doc.title}（${doc.number}）`);
  return { ...doc, name };
}
