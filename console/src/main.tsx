import { App as AntApp, ConfigProvider } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { createRoot } from 'react-dom/client';
import { Shell } from './Shell';

dayjs.locale('zh-cn');

createRoot(document.getElementById('root')!).render(
  <ConfigProvider locale={zhCN} theme={{ token: { fontSize: 14, colorPrimary: '#1d4ed8' } }}>
    <AntApp>
      <Shell />
    </AntApp>
  </ConfigProvider>,
);
