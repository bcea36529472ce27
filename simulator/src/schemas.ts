/** zod schemas for the WeCom-shaped /cgi-bin bodies and the /sim control bodies. */
import { z } from 'zod';

const bytes = (max: number, min = 0) =>
  z
    .string()
    .refine((s) => Buffer.byteLength(s, 'utf8') >= min, `must be at least ${min} bytes`)
    .refine((s) => Buffer.byteLength(s, 'utf8') <= max, `must be at most ${max} bytes`);

// ---------- /cgi-bin ----------
export const MSGID = z.string().regex(/^[0-9a-zA-Z_-]{1,32}$/, 'msgid: 1-32 bytes of [0-9a-zA-Z_-]');

export const MenuItem = z.discriminatedUnion('type', [
  z.object({ type: z.literal('click'), click: z.object({ id: bytes(64, 1).optional(), content: bytes(128, 1) }) }),
  z.object({ type: z.literal('view'), view: z.object({ url: bytes(2048, 1), content: bytes(1024, 1) }) }),
  z.object({
    type: z.literal('miniprogram'),
    miniprogram: z.object({ appid: bytes(32, 1), pagepath: bytes(1024, 1), content: bytes(1024, 1) }),
  }),
]);

/** Text length (> 2048 bytes) is checked by the service to answer 45002 instead of 40058. */
export const OutgoingPayload = {
  text: z.object({ content: z.string().min(1) }),
  image: z.object({ media_id: z.string().min(1) }),
  voice: z.object({ media_id: z.string().min(1) }),
  video: z.object({ media_id: z.string().min(1) }),
  file: z.object({ media_id: z.string().min(1) }),
  link: z.object({ title: bytes(128, 1), desc: bytes(512).optional(), url: bytes(2048, 1), thumb_media_id: z.string().min(1) }),
  miniprogram: z.object({ appid: z.string().min(1), title: bytes(64).optional(), thumb_media_id: z.string().min(1), pagepath: z.string().min(1) }),
  msgmenu: z.object({ head_content: bytes(1024).optional(), list: z.array(MenuItem).max(10), tail_content: bytes(1024).optional() }),
  location: z.object({ name: z.string().optional(), address: z.string().optional(), latitude: z.number(), longitude: z.number() }),
} as const;
export type OutgoingType = keyof typeof OutgoingPayload;
export const OUTGOING_TYPES = Object.keys(OutgoingPayload) as OutgoingType[];

export const SendMsgEnvelope = z.object({
  touser: z.string().min(1),
  open_kfid: z.string().min(1),
  msgid: MSGID.optional(),
  msgtype: z.string().min(1),
});

export const SendOnEventEnvelope = z.object({
  code: z.string().min(1),
  msgid: MSGID.optional(),
  msgtype: z.string().min(1),
});

export const SyncMsgBody = z.object({
  cursor: z.string().max(64).optional(),
  token: z.string().max(128).optional(),
  limit: z.number().int().min(1).max(1000).optional(),
  voice_format: z.union([z.literal(0), z.literal(1)]).optional(),
  open_kfid: z.string().min(1).optional(),
});

export const AccountListBody = z.object({
  offset: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).max(100).default(100),
});

export const ServiceStateGetBody = z.object({ open_kfid: z.string().min(1), external_userid: z.string().min(1) });
export const ServiceStateTransBody = ServiceStateGetBody.extend({
  service_state: z.number().int().min(0).max(4),
  servicer_userid: z.string().optional(),
});

export const BatchGetBody = z.object({
  external_userid_list: z.array(z.string()).min(1).max(100),
  need_enter_session_context: z.number().int().optional(),
});

export const MEDIA_TYPES = ['image', 'voice', 'video', 'file'] as const;

// ---------- /sim control ----------
const upload = z
  .object({ data_base64: z.string().min(1).optional(), filename: z.string().min(1).max(200).optional(), mime: z.string().min(1).max(200).optional() })
  .optional();

export const CustomerContent = {
  text: z.object({ content: z.string().min(1).max(20000), menu_id: z.string().min(1).optional() }),
  image: upload,
  voice: upload,
  video: upload,
  file: upload,
  location: z.object({ latitude: z.number(), longitude: z.number(), name: z.string().optional(), address: z.string().optional() }),
  link: z.object({ title: z.string().min(1), desc: z.string().optional(), url: z.string().min(1), pic_url: z.string().optional() }),
  business_card: z.object({ userid: z.string().min(1) }),
  miniprogram: z.object({ title: z.string().optional(), appid: z.string().min(1), pagepath: z.string().optional(), thumb_media_id: z.string().optional() }),
} as const;
export type CustomerMsgType = keyof typeof CustomerContent;
export const CUSTOMER_TYPES = Object.keys(CustomerContent) as [CustomerMsgType, ...CustomerMsgType[]];

export const SimCustomerBody = z.object({
  nickname: z.string().trim().min(1).max(64),
  gender: z.union([z.literal(0), z.literal(1), z.literal(2)]).optional(),
});

export const SimEnterBody = z.object({
  open_kfid: z.string().min(1),
  external_userid: z.string().min(1),
  scene: z.string().max(32).optional(),
  scene_param: z.string().max(128).optional(),
});

export const SimMessageBody = z
  .object({
    open_kfid: z.string().min(1),
    external_userid: z.string().min(1),
    msgtype: z.enum(CUSTOMER_TYPES),
    duplicate: z.number().int().min(0).max(10).optional(),
  })
  .loose();

export const SimServicerMessageBody = z
  .object({
    open_kfid: z.string().min(1),
    external_userid: z.string().min(1),
    servicer_userid: z.string().min(1),
    msgtype: z.enum(CUSTOMER_TYPES),
  })
  .loose();

export const SimEventBody = z
  .object({
    open_kfid: z.string().min(1),
    external_userid: z.string().min(1).optional(),
    event_type: z.string().regex(/^[a-z_]{1,64}$/),
  })
  .loose();

export const SimClockBody = z.object({ advance_seconds: z.number().finite().min(0).max(10 * 365 * 86400) });
export const SimCountBody = z.object({ count: z.number().int().min(0).max(1000) });
export const SimServicerBody = z.object({ userid: z.string().regex(/^[A-Za-z0-9_.@-]{1,64}$/) });
export const SimCallbackUrlBody = z.object({ url: z.union([z.url(), z.literal('')]) });
export const SimInboxQuery = z.object({ external_userid: z.string().min(1) });
export const SimConversationQuery = z.object({ open_kfid: z.string().min(1), external_userid: z.string().min(1) });
