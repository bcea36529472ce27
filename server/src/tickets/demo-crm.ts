/**
 * Demo CRM data for 悦肤美妆: orders (products, amounts, dates, logistics numbers), contracts and
 * devices, keyed by customer. Named demo customers have hand-written records; any other
 * customer (those the tests and the simulator create) gets deterministic records generated
 * from the customer id, so the same customer always shows the same purchases.
 * A real deployment replaces `DemoCrm` with a connector to its CRM/ERP behind the same shape.
 */
import { createHash } from 'node:crypto';

export type OrderLine = { sku: string; product: string; qty: number; price: number };
export type Order = { order_no: string; date: string; amount: number; status: string; items: OrderLine[]; logistics: { carrier: string; tracking_no: string } };
export type Contract = { contract_no: string; company: string; amount: number; signed_at: string; tax_no: string };
export type Device = { sn: string; model: string; name: string; firmware: string; purchased_at: string; params: Record<string, string> };
export type CrmRecord = { orders: Order[]; contracts: Contract[]; devices: Device[] };

const PRODUCTS = [
  { sku: 'YF-SE-30', product: '悦肤水光精华 30ml', price: 299 },
  { sku: 'YF-MK-5', product: '玻尿酸补水面膜 5片装', price: 129 },
  { sku: 'YF-SS-50', product: '清透防晒乳 SPF50+ 50ml', price: 168 },
  { sku: 'YF-CL-120', product: '氨基酸洁面乳 120g', price: 89 },
  { sku: 'YF-BL-01', product: '柔雾腮红 #01 蜜桃', price: 139 },
  { sku: 'YF-CR-50', product: '修护面霜 50g', price: 259 },
];
const CARRIERS = [
  { carrier: '顺丰速运', prefix: 'SF' },
  { carrier: '中通快递', prefix: 'ZTO' },
  { carrier: '京东物流', prefix: 'JDVA' },
];
const DEVICE_MODELS: { model: string; name: string; params: Record<string, string> }[] = [
  { model: 'YF-IPL-200', name: '悦肤光子嫩肤仪', params: { 功率: '18W', 档位: '5 档', 电池: '2000mAh', 接口: 'USB-C' } },
  { model: 'YF-RF-100', name: '悦肤射频美容仪', params: { 频率: '1MHz', 档位: '3 档', 电池: '1500mAh', 接口: 'USB-C' } },
];

/** Hand-written records for the demo's named customers (display names in the demo data). */
const NAMED: Record<string, CrmRecord> = {
  张女士: {
    orders: [
      {
        order_no: 'YF202501150032', date: '2025-01-15', amount: 428, status: '已签收',
        items: [{ sku: 'YF-SE-30', product: '悦肤水光精华 30ml', qty: 1, price: 299 }, { sku: 'YF-MK-5', product: '玻尿酸补水面膜 5片装', qty: 1, price: 129 }],
        logistics: { carrier: '顺丰速运', tracking_no: 'SF1402385719264' },
      },
    ],
    contracts: [],
    devices: [{ sn: 'IPL2001234567', model: 'YF-IPL-200', name: '悦肤光子嫩肤仪', firmware: '2.3.1', purchased_at: '2024-11-11', params: DEVICE_MODELS[0]!.params }],
  },
  杭州美丽汇贸易有限公司: {
    orders: [],
    contracts: [{ contract_no: 'YF-HT-2024-0815', company: '杭州美丽汇贸易有限公司', amount: 128_000, signed_at: '2024-08-15', tax_no: '91330106MA2H3K5X7P' }],
    devices: [],
  },
};

function rng(seed: string) {
  let h = createHash('sha256').update(seed).digest();
  let i = 0;
  return () => {
    if (i + 4 > h.length) {
      h = createHash('sha256').update(h).digest();
      i = 0;
    }
    const v = h.readUInt32BE(i) / 2 ** 32;
    i += 4;
    return v;
  };
}

/** Deterministic records for any customer id (same id → same records). */
export function generatedRecord(customerId: string, displayName = ''): CrmRecord {
  const r = rng(`kefu-demo-crm:${customerId}`);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const orders: Order[] = [];
  const n = 1 + Math.floor(r() * 3);
  for (let k = 0; k < n; k++) {
    const day = new Date(Date.UTC(2024, 9, 1) + Math.floor(r() * 120) * 86_400_000).toISOString().slice(0, 10);
    const items: OrderLine[] = [];
    const lines = 1 + Math.floor(r() * 2);
    for (let j = 0; j < lines; j++) {
      const p = pick(PRODUCTS);
      items.push({ ...p, qty: 1 + Math.floor(r() * 2) });
    }
    const c = pick(CARRIERS);
    orders.push({
      order_no: `YF${day.replace(/-/g, '')}${String(Math.floor(r() * 10_000)).padStart(4, '0')}`,
      date: day,
      amount: items.reduce((s, i) => s + i.price * i.qty, 0),
      status: pick(['已签收', '运输中', '已签收']),
      items,
      logistics: { carrier: c.carrier, tracking_no: `${c.prefix}${String(Math.floor(r() * 1e12)).padStart(12, '0')}` },
    });
  }
  orders.sort((a, b) => b.date.localeCompare(a.date));
  const dm = pick(DEVICE_MODELS);
  return {
    orders,
    contracts: [{
      contract_no: `YF-HT-${2024}-${String(Math.floor(r() * 9000) + 1000)}`,
      company: displayName ? `${displayName}（个人）` : '个人客户',
      amount: orders.reduce((s, o) => s + o.amount, 0),
      signed_at: orders.at(-1)!.date,
      tax_no: '',
    }],
    devices: [{ sn: `${dm.model.slice(3).replace('-', '')}${String(Math.floor(r() * 1e7)).padStart(7, '0')}`, model: dm.model, name: dm.name, firmware: `2.${Math.floor(r() * 5)}.${Math.floor(r() * 10)}`, purchased_at: orders.at(-1)!.date, params: dm.params }],
  };
}

export class DemoCrm {
  record(customer: { id: string; display_name?: string }): CrmRecord {
    return NAMED[customer.display_name ?? ''] ?? generatedRecord(customer.id, customer.display_name);
  }
}
