import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSim, type Client } from './helpers.js';
import type { Simulator } from '../src/server.js';

let sim: Simulator;
let client: Client;
let kfid: string;
beforeAll(async () => ({ sim, client, kfid } = await startSim()));
afterAll(async () => sim.close());

async function upload(type: string, data: Buffer, filename: string, mime: string) {
  const form = new FormData();
  form.append('media', new Blob([new Uint8Array(data)], { type: mime }), filename);
  const res = await fetch(`${sim.url}/cgi-bin/media/upload?access_token=${await client.accessToken()}&type=${type}`, { method: 'POST', body: form });
  return (await res.json()) as Record<string, any>;
}

describe('media', () => {
  it('upload → media_id; get returns the bytes with type and attachment filename', async () => {
    const bytes = Buffer.from('%PDF-1.4 fake pdf bytes');
    const up = await upload('file', bytes, '报价单.pdf', 'application/pdf');
    expect(up).toMatchObject({ errcode: 0, errmsg: 'ok', type: 'file' });
    expect(typeof up.media_id).toBe('string');
    expect(up.created_at).toMatch(/^\d+$/);
    const res = await fetch(`${sim.url}/cgi-bin/media/get?access_token=${await client.accessToken()}&media_id=${up.media_id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    const cd = res.headers.get('content-disposition')!;
    expect(cd).toMatch(/^attachment; filename="/);
    expect(cd).toContain(encodeURIComponent('报价单.pdf'));
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('unknown media_id → JSON 40007; bad type → 40058; send_msg accepts uploaded media', async () => {
    const res = await fetch(`${sim.url}/cgi-bin/media/get?access_token=${await client.accessToken()}&media_id=nope`);
    expect(((await res.json()) as { errcode: number }).errcode).toBe(40007);
    expect((await upload('sticker', Buffer.from('abcdef'), 'a.bin', 'application/octet-stream')).errcode).toBe(40058);
    const img = await upload('image', Buffer.from('\x89PNG fake image'), 'a.png', 'image/png');
    const u = await client.customer('图片客');
    await client.say(kfid, u, 'send me a picture');
    const r = await client.cgi('/cgi-bin/kf/send_msg', { touser: u, open_kfid: kfid, msgtype: 'image', image: { media_id: img.media_id } });
    expect(r.errcode).toBe(0);
  });

  it('a customer image without bytes gets a generated PNG that media/get serves', async () => {
    const u = await client.customer('发图客');
    const sent = await client.post('/sim/kf/messages', { open_kfid: kfid, external_userid: u, msgtype: 'image' });
    const mediaId = sent.item.image.media_id;
    const res = await fetch(`${sim.url}/cgi-bin/media/get?access_token=${await client.accessToken()}&media_id=${mediaId}`);
    expect(res.headers.get('content-type')).toBe('image/png');
    const buf = Buffer.from(await res.arrayBuffer());
    expect(buf.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
    const custom = await client.post('/sim/kf/messages', {
      open_kfid: kfid,
      external_userid: u,
      msgtype: 'file',
      file: { data_base64: Buffer.from('hello').toString('base64'), filename: 'hi.txt', mime: 'text/plain' },
    });
    const f = await fetch(`${sim.url}/cgi-bin/media/get?access_token=${await client.accessToken()}&media_id=${custom.item.file.media_id}`);
    expect(await f.text()).toBe('hello');
    expect(f.headers.get('content-disposition')).toBe('attachment; filename="hi.txt"');
  });

  it('media expires after 3 days', async () => {
    const up = await upload('voice', Buffer.from('#!AMR\n12345'), 'v.amr', 'audio/amr');
    await client.post('/sim/clock', { advance_seconds: 3 * 86400 + 1 });
    client.token = '';
    const res = await fetch(`${sim.url}/cgi-bin/media/get?access_token=${await client.accessToken()}&media_id=${up.media_id}`);
    expect(((await res.json()) as { errcode: number }).errcode).toBe(40007);
  });
});
