import { Button, Card, Form, Input, Layout, Menu, Result, Space, Spin, Tag, Typography } from 'antd';
import { useEffect, useState, type ReactNode } from 'react';
import { api, call, onSignedOut } from './api/client';
import { ROLE_ZH, type Actor, type Role } from './domain';
import { useAction } from './hooks';
import { SCREENS } from './screens';

function useHash(): string {
  const [hash, setHash] = useState(location.hash.slice(1));
  useEffect(() => {
    const changed = () => setHash(location.hash.slice(1));
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return hash;
}

export function Shell() {
  const [actor, setActor] = useState<Actor | null | undefined>(undefined);
  const [ended, setEnded] = useState(false);
  useEffect(() => {
    onSignedOut(() => {
      setEnded(true);
      setActor(null);
    });
    call<Actor>(api.GET('/me')).then(setActor).catch(() => setActor(null));
  }, []);
  if (actor === undefined) return <Spin fullscreen tip="加载中" />;
  if (!actor) return <SignIn ended={ended} onSignedIn={(a) => { setEnded(false); setActor(a); }} />;
  return <Console actor={actor} onSignOut={() => setActor(null)} />;
}

function SignIn({ onSignedIn, ended }: { onSignedIn: (actor: Actor) => void; ended: boolean }) {
  const [busy, run] = useAction();
  const submit = async (values: { name: string; password: string }) => {
    const reply = await run(() => call<{ user: Actor }>(api.POST('/session', { body: values })));
    if (reply) onSignedIn(reply.user);
  };
  return (
    <div style={{ minHeight: '100vh', display: 'grid', placeItems: 'center', background: '#f0f2f5', padding: 16 }}>
      <Card title="应急物资与灾害保险管理控制台" style={{ width: 380, maxWidth: '100%' }}>
        {ended && <Typography.Paragraph type="warning">会话已结束（已退出或长时间未操作），请重新登录。</Typography.Paragraph>}
        <Form layout="vertical" onFinish={submit} requiredMark={false}>
          <Form.Item label="用户名" name="name" rules={[{ required: true, message: '请输入用户名' }]}>
            <Input autoComplete="username" autoFocus />
          </Form.Item>
          <Form.Item label="密码" name="password" rules={[{ required: true, message: '请输入密码' }]}>
            <Input.Password autoComplete="current-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={busy}>登录</Button>
        </Form>
        <Typography.Paragraph type="secondary" style={{ marginTop: 16, marginBottom: 0, fontSize: 12 }}>
          没有密码？请联系系统管理员设置。脚本和接口调用仍使用 API 令牌。
        </Typography.Paragraph>
      </Card>
    </div>
  );
}

function Console({ actor, onSignOut }: { actor: Actor; onSignOut: () => void }) {
  const hash = useHash();
  const screens = SCREENS.filter((s) => s.roles.includes(actor.role));
  const [key, ...rest] = hash.replace(/^\//, '').split('/');
  const screen = screens.find((s) => s.key === key) ?? screens[0];
  const [collapsed, setCollapsed] = useState(false);
  // Another screen starts at its top, not where the last one was scrolled to.
  useEffect(() => { window.scrollTo(0, 0); }, [screen?.key]);
  const signOut = async () => {
    await api.DELETE('/session');
    location.hash = '';
    onSignOut();
  };
  let body: ReactNode;
  if (!screen) body = <Result status="403" title="当前角色没有可用的页面" />;
  else body = <screen.render actor={actor} param={rest.join('/')} />;
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Sider breakpoint="lg" collapsedWidth={0} collapsed={collapsed} onCollapse={setCollapsed} width={200} theme="light"
        // The menu keeps its place and scrolls on its own: an administrator's is taller than a laptop's screen.
        style={{ borderRight: '1px solid #eee', position: 'sticky', top: 0, height: '100vh', overflowY: 'auto' }}>
        <div style={{ padding: '16px 16px 8px', fontWeight: 600 }}>管理控制台</div>
        <Menu mode="inline" selectedKeys={screen ? [screen.key] : []} items={groupsOf(screens)}
          onClick={({ key }) => { location.hash = `/${key}`; if (innerWidth < 992) setCollapsed(true); }} />
      </Layout.Sider>
      <Layout>
        <Layout.Header style={{ background: '#fff', padding: '0 16px', display: 'flex', justifyContent: 'space-between', alignItems: 'center', borderBottom: '1px solid #eee' }}>
          <Typography.Title level={4} style={{ margin: 0 }}>{screen?.title}</Typography.Title>
          <Space wrap>
            <span>{actor.name}</span>
            <Tag color="blue">{ROLE_ZH[actor.role]}</Tag>
            {actor.warehouses.length > 0 && <Tag>{actor.warehouses.join('、')}</Tag>}
            <Button onClick={signOut}>退出</Button>
          </Space>
        </Layout.Header>
        <Layout.Content style={{ padding: 16 }}>{body}</Layout.Content>
      </Layout>
    </Layout>
  );
}

function groupsOf(screens: typeof SCREENS) {
  const groups = new Map<string, { key: string; label: string }[]>();
  for (const s of screens.filter((s) => !s.hidden)) groups.set(s.group, [...(groups.get(s.group) ?? []), { key: s.key, label: s.title }]);
  return [...groups].map(([label, children]) => ({ key: `g-${label}`, label, type: 'group' as const, children }));
}

export type ScreenProps = { actor: Actor; param: string };
export interface Screen {
  key: string;
  title: string;
  group: string;
  roles: Role[];
  /** Reached from another screen (a claim from the list), not from the menu. */
  hidden?: boolean;
  render: (props: ScreenProps) => ReactNode;
}
