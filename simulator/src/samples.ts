/** Small valid sample files the simulator generates when a customer "sends" media without bytes. */
import { deflateSync } from 'node:zlib';

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

/** A w×h RGB PNG: a diagonal gradient from `rgb` (deterministic for a given seed). */
export function makePng(width = 64, height = 64, rgb: [number, number, number] = [7, 193, 96]): Buffer {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    raw[row] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      const f = (x + y) / (width + height);
      raw[row + 1 + x * 3] = Math.round(rgb[0] * (1 - f) + 255 * f);
      raw[row + 2 + x * 3] = Math.round(rgb[1] * (1 - f) + 255 * f);
      raw[row + 3 + x * 3] = Math.round(rgb[2] * (1 - f) + 255 * f);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** One second of AMR-NB silence (50 frames of mode 7, 12.2 kbit/s). */
export function makeAmr(): Buffer {
  const frame = Buffer.alloc(32);
  frame[0] = 0x3c;
  return Buffer.concat([Buffer.from('#!AMR\n', 'ascii'), ...Array.from({ length: 50 }, () => frame)]);
}

/** A minimal ISO-BMFF (MP4) file: an `ftyp` box and an empty `free` box. */
export function makeMp4(): Buffer {
  const ftyp = Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from('ftypisom', 'ascii'), Buffer.from([0, 0, 2, 0]), Buffer.from('isomiso2', 'ascii')]);
  const free = Buffer.concat([Buffer.from([0, 0, 0, 8]), Buffer.from('free', 'ascii')]);
  return Buffer.concat([ftyp, free]);
}

export type MediaType = 'image' | 'voice' | 'video' | 'file';

export function sampleFile(type: MediaType): { data: Buffer; filename: string; mime: string } {
  switch (type) {
    case 'image':
      return { data: makePng(), filename: 'sample.png', mime: 'image/png' };
    case 'voice':
      return { data: makeAmr(), filename: 'sample.amr', mime: 'audio/amr' };
    case 'video':
      return { data: makeMp4(), filename: 'sample.mp4', mime: 'video/mp4' };
    case 'file':
      return { data: Buffer.from('这是一个示例文件。\nThis is a sample file.\n', 'utf8'), filename: 'sample.txt', mime: 'text/plain; charset=utf-8' };
  }
}

/** A round avatar with the first character of the nickname. */
export function avatarSvg(label: string, seed: string): string {
  let h = 0;
  for (const ch of seed) h = (h * 31 + ch.codePointAt(0)!) >>> 0;
  const hue = h % 360;
  const initial = [...(label || '?')][0] ?? '?';
  const esc = initial.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96" viewBox="0 0 96 96">` +
    `<rect width="96" height="96" rx="12" fill="hsl(${hue},55%,55%)"/>` +
    `<text x="48" y="62" font-size="44" text-anchor="middle" fill="#fff" font-family="sans-serif">${esc}</text></svg>`
  );
}
