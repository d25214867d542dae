// main.js — the console's entry: Vue, Element Plus (Chinese locale), router and the 401 hook.
import { createApp } from 'vue';
import ElementPlus, { ElMessage } from 'element-plus';
import zhCn from 'element-plus/es/locale/lang/zh-cn';
import {
  Aim, ArrowDown, ArrowLeft, ArrowRight, Bell, Cellphone, ChatLineSquare, CircleCheck, DataAnalysis, Document, Download, Edit, Expand,
  Fold, HomeFilled, Location, Lock, MapLocation, Medal, Notebook, OfficeBuilding, Operation, Plus, Promotion, RefreshLeft, Search,
  Setting, Stamp, SwitchButton, Tickets, Tools, Upload, User, UserFilled, View, Warning,
} from '@element-plus/icons-vue';
import 'element-plus/dist/index.css';
import './styles.css';
import App from './App.vue';
import router from './router.js';
import { setUnauthorizedHandler } from './api.js';
import { forget } from './session.js';

// Any API call answered 401 means the session ended: back to the sign-in page, then here again.
setUnauthorizedHandler(() => {
  forget();
  const here = router.currentRoute.value;
  if (here.name !== 'login') {
    ElMessage.warning({ message: '登录已过期，请重新登录。', grouping: true });
    router.replace({ name: 'login', query: here.fullPath !== '/' ? { redirect: here.fullPath } : {} });
  }
});

const app = createApp(App);
// The icons the console uses, registered by name so menus and buttons can name them as strings.
const icons = {
  Aim, ArrowDown, ArrowLeft, ArrowRight, Bell, Cellphone, ChatLineSquare, CircleCheck, DataAnalysis, Document, Download, Edit, Expand,
  Fold, HomeFilled, Location, Lock, MapLocation, Medal, Notebook, OfficeBuilding, Operation, Plus, Promotion, RefreshLeft, Search,
  Setting, Stamp, SwitchButton, Tickets, Tools, Upload, User, UserFilled, View, Warning,
};
for (const [name, comp] of Object.entries(icons)) app.component(name, comp);
app.use(ElementPlus, { locale: zhCn });
app.use(router);
app.mount('#app');
