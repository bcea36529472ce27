import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { Config } from '../../config.js';
import { systemClock, type Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import type { HubService } from '../../hub/index.js';
import type { Leases } from '../../db/lease.js';
import type { MediaStore } from '../../media/store.js';
import type { AppInstance } from '../../http/app.js';
import { WecomApiClient, type TokenCache } from './api-client.js';
import { WecomCrypto } from './crypto.js';
import { KfWindows } from './kf-window.js';
import { KfSessions } from './kf-sessions.js';
import { KfSync } from './kf-sync.js';
import { kfChannelAdapter } from './kf-outbound.js';
import { KfEndCodes } from './kf-end-codes.js';
import { wecomCallbackRoutes } from './callback-routes.js';
import { wecomServicerRoutes, type HandedOver } from './servicer-routes.js';
import type { AuthService } from '../../auth/service.js';

/** The WeCom 微信客服 channel, wired: callback URL, puller, outbound adapter. */
export function createWecomChannel(deps: {
  config: Config; db: Kysely<Database>; hub: HubService; media: MediaStore; leases: Leases; clock: Clock; log: Logger; tokenCache?: TokenCache;
  /** the welcome on enter_session (the bot settings' welcome_text); default KEFU_WELCOME_TEXT */
  welcomeText?: () => string;
}) {
  const { config, db, hub, clock } = deps;
  const log = deps.log.child({ mod: 'wecom' });
  const api = new WecomApiClient({
    baseUrl: config.WECOM_API_BASE, corpId: config.WECOM_CORP_ID, secret: config.WECOM_KF_SECRET,
    timeoutMs: config.WECOM_TIMEOUT_MS, logger: log, clock, tokenCache: deps.tokenCache,
  });
  const crypto = new WecomCrypto({ token: config.WECOM_TOKEN, aesKey: config.WECOM_ENCODING_AES_KEY, receiveId: config.WECOM_CORP_ID });
  const windows = new KfWindows(db);
  const sessions = new KfSessions({ api, hub, clock, log });
  const kfSync = new KfSync({ db, api, hub, windows, sessions, media: deps.media, leases: deps.leases, clock, log, welcomeText: deps.welcomeText ?? (() => config.KEFU_WELCOME_TEXT) });
  hub.registerChannel(kfChannelAdapter({ api, windows, sessions, endCodes: new KfEndCodes(db, clock), media: deps.media, clock, log }));
  return {
    api,
    kfSync,
    sessions,
    /** `onHandedOver`: the conversation went to a WeCom-native servicer (routing records it) */
    routes: (app: AppInstance, auth: AuthService, onHandedOver?: HandedOver) => {
      // the replay window is about real network time, not kefu's business clock (which tests move)
      wecomCallbackRoutes(app, { crypto, kfSync, clock: systemClock, replayWindowS: config.WECOM_REPLAY_WINDOW_S });
      wecomServicerRoutes(app, { auth, hub, sessions, onHandedOver });
    },
    async start() {
      await kfSync.refreshAccounts().catch((err) => log.warn({ err }, 'kf/account/list failed; accounts appear with their first callback'));
      await kfSync.resume();
    },
    stop: () => kfSync.stop(),
  };
}
