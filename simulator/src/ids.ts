import { createHash, randomBytes } from 'node:crypto';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function toAlnum(bytes: Buffer, length: number): string {
  let out = '';
  for (let i = 0; out.length < length; i++) out += ALNUM[bytes[i % bytes.length] % ALNUM.length];
  return out;
}

export function randomAlnum(length: number): string {
  return toAlnum(randomBytes(length), length);
}

/** Deterministic open_kfid: `wk` + 30 chars derived from the corp and the account name. */
export function openKfidFor(corpId: string, name: string): string {
  const h = createHash('sha256').update(`${corpId}\u0000kf\u0000${name}`).digest();
  return 'wk' + toAlnum(Buffer.concat([h, createHash('sha256').update(h).digest()]), 30);
}

/** `wm` + 30 chars, like a real external_userid. */
export const newExternalUserid = () => 'wm' + randomAlnum(30);
export const newUnionid = () => 'o' + randomAlnum(27);
export const newMsgid = () => randomAlnum(32);
export const newAccessToken = () => randomAlnum(64) + '-' + randomAlnum(40);
export const newSyncToken = () => 'ENC' + randomAlnum(44);
export const newEventCode = () => randomAlnum(43);
export const newMediaId = () => '3' + randomAlnum(63);
