import { Button, DatePicker, Form, Input, Select, Space } from 'antd';
import type { FormInstance } from 'antd';
import { categoryLabel, type Category } from '../catalog';
import { quantityProblem } from '../domain';

export interface LineInput {
  category?: string;
  quantity?: string;
  lot?: string;
  expiresOn?: { format(f: string): string };
}

/** Document lines: a category (searched by name or code), a quantity checked against the unit's scale as typed, and lot/expiry for lot-kept goods. */
export function LineItems({ form, categories, withLots = true, quantityLabel = '数量' }: { form: FormInstance; categories: Map<string, Category>; withLots?: boolean; quantityLabel?: string }) {
  const options = [...categories.values()].map((c) => ({ value: c.code, label: `${c.name}（${c.code}，${c.unit}）` }));
  return (
    <Form.List name="lines" initialValue={[{}]}>
      {(fields, { add, remove }) => (
        <>
          {fields.map((field) => (
            <Form.Item noStyle key={field.key} shouldUpdate>
              {() => {
                const code = form.getFieldValue(['lines', field.name, 'category']) as string | undefined;
                const category = code ? categories.get(code) : undefined;
                return (
                  <Space wrap align="start" style={{ display: 'flex', marginBottom: 4 }}>
                    <Form.Item name={[field.name, 'category']} rules={[{ required: true, message: '请选择物资' }]} style={{ width: 340 }}>
                      <Select showSearch placeholder="物资（输入名称或代码搜索）" options={options} optionFilterProp="label" aria-label="物资" />
                    </Form.Item>
                    <Form.Item name={[field.name, 'quantity']} validateFirst
                      rules={[{ validator: (_, value: string) => { const problem = quantityProblem(value ?? '', category?.scale ?? 3); return problem ? Promise.reject(new Error(problem)) : Promise.resolve(); } }]}>
                      <Input placeholder={quantityLabel} suffix={category?.unit} style={{ width: 150 }} aria-label={quantityLabel} inputMode="decimal" />
                    </Form.Item>
                    {withLots && category?.lotTracked && (
                      <>
                        <Form.Item name={[field.name, 'lot']} rules={[{ required: true, message: '该物资按批次管理，请填批号' }]}>
                          <Input placeholder="批号" style={{ width: 130 }} aria-label="批号" />
                        </Form.Item>
                        <Form.Item name={[field.name, 'expiresOn']} rules={[{ required: true, message: '请填有效期' }]}>
                          <DatePicker placeholder="有效期至" aria-label="有效期至" />
                        </Form.Item>
                      </>
                    )}
                    {fields.length > 1 && <Button onClick={() => remove(field.name)}>删除</Button>}
                  </Space>
                );
              }}
            </Form.Item>
          ))}
          <Button type="dashed" onClick={() => add({})} style={{ marginBottom: 16 }}>＋ 增加一行</Button>
        </>
      )}
    </Form.List>
  );
}

export function linesOf(lines: LineInput[] = []) {
  return lines.map((l) => ({
    category: l.category!, quantity: l.quantity!,
    ...(l.lot ? { lot: l.lot } : {}), ...(l.expiresOn ? { expiresOn: l.expiresOn.format('YYYY-MM-DD') } : {}),
  }));
}

export { categoryLabel };
