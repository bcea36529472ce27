/** Styles of the widget, scoped by its shadow root. */
export const WIDGET_CSS = `
:host { all: initial; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
.bubble, .panel { font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "WenQuanYi Zen Hei", sans-serif; font-size: 14px; line-height: 1.5; color: #1f1f1f; }
.bubble { position: fixed; right: 24px; bottom: 24px; width: 58px; height: 58px; border-radius: 50%; border: none; cursor: pointer;
  background: linear-gradient(135deg, #ff6f91 0%, #e0457b 100%); color: #fff; display: flex; align-items: center; justify-content: center;
  box-shadow: 0 6px 20px rgba(224, 69, 123, .45); transition: transform .15s ease, box-shadow .15s ease; }
.bubble:hover { transform: translateY(-2px) scale(1.04); box-shadow: 0 10px 26px rgba(224, 69, 123, .5); }
.bubble-open { transform: scale(.92); }
.badge { position: absolute; top: -2px; right: -2px; min-width: 20px; height: 20px; padding: 0 6px; border-radius: 10px; background: #ff4d4f; color: #fff;
  font-size: 12px; line-height: 20px; text-align: center; border: 2px solid #fff; font-weight: 600; }
.panel { position: fixed; right: 24px; bottom: 96px; width: 370px; height: min(600px, calc(100vh - 120px)); background: #fff; border-radius: 14px;
  box-shadow: 0 16px 48px rgba(0, 0, 0, .22); display: flex; flex-direction: column; overflow: hidden; animation: pop .18s ease-out; }
@keyframes pop { from { opacity: 0; transform: translateY(12px) scale(.98); } to { opacity: 1; transform: none; } }
.head { display: flex; align-items: center; gap: 8px; padding: 14px 14px 12px 18px; background: linear-gradient(135deg, #ff6f91 0%, #e0457b 100%); color: #fff; }
.titles { flex: 1; min-width: 0; }
.title { font-size: 16px; font-weight: 600; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.status { font-size: 12px; opacity: .9; }
.status::before { content: ""; display: inline-block; width: 7px; height: 7px; border-radius: 50%; background: #ffd666; margin-right: 5px; vertical-align: 1px; }
.status[data-state="connected"]::before { background: #95de64; }
.status[data-state="error"]::before { background: #ff4d4f; }
.close { background: transparent; border: none; color: #fff; cursor: pointer; padding: 4px; border-radius: 6px; display: flex; }
.close:hover { background: rgba(255, 255, 255, .18); }
.list { flex: 1; overflow-y: auto; padding: 12px 12px 8px; background: #f7f7f9; }
.welcome { background: #fff0f5; color: #8c3056; border-radius: 10px; padding: 10px 12px; font-size: 13px; margin-bottom: 8px; }
.row { display: flex; margin: 10px 0; gap: 8px; align-items: flex-start; }
.row-me { justify-content: flex-end; }
.row-system { justify-content: center; }
.sys { font-size: 12px; color: #8c8c8c; background: rgba(0, 0, 0, .04); border-radius: 10px; padding: 2px 10px; }
.avatar { width: 30px; height: 30px; border-radius: 50%; background: #e0457b; color: #fff; font-size: 13px; display: flex; align-items: center; justify-content: center; flex: none; }
.col { max-width: 78%; display: flex; flex-direction: column; }
.row-me .col { align-items: flex-end; }
.line { display: flex; align-items: center; gap: 6px; max-width: 100%; }
.msg { padding: 8px 12px; border-radius: 12px; word-break: break-word; white-space: pre-wrap; max-width: 100%; }
.msg-them { background: #fff; border: 1px solid #eee; border-top-left-radius: 4px; }
.msg-me { background: #e0457b; color: #fff; border-top-right-radius: 4px; }
.state { flex: none; font-size: 13px; }
.state.pending { color: #bfbfbf; }
.state.failed { width: 16px; height: 16px; border-radius: 50%; background: #ff4d4f; color: #fff; font-size: 11px; font-weight: 700; display: flex; align-items: center; justify-content: center; }
.fail { color: #cf1322; font-size: 12px; margin-top: 3px; }
.muted { color: #8c8c8c; font-size: 13px; }
.img { display: block; max-width: 200px; max-height: 220px; border-radius: 8px; }
.card { display: flex; gap: 10px; text-decoration: none; color: inherit; width: 230px; white-space: normal; }
.card-body { flex: 1; min-width: 0; }
.card-title { font-weight: 600; }
.card-desc { font-size: 12px; color: #8c8c8c; margin-top: 2px; }
.msg-me .card-desc { color: rgba(255, 255, 255, .8); }
.card-pic { width: 50px; height: 50px; border-radius: 6px; object-fit: cover; flex: none; }
.file { color: inherit; }
.menu { display: flex; flex-direction: column; gap: 6px; min-width: 200px; white-space: normal; }
.menu-head { margin-bottom: 2px; }
.menu-tail { font-size: 12px; color: #8c8c8c; margin-top: 2px; }
.menu-item { display: block; text-align: left; background: #fff5f8; border: 1px solid #ffd1e0; color: #c41d62; border-radius: 8px; padding: 6px 10px; font: inherit; font-size: 13px; cursor: pointer; text-decoration: none; }
.menu-item:hover { background: #ffe6ef; }
.menu-disabled { cursor: default; color: #8c8c8c; background: #fafafa; border-color: #eee; }
.foot { display: flex; gap: 8px; align-items: flex-end; padding: 10px 12px; border-top: 1px solid #f0f0f0; background: #fff; }
.input { flex: 1; resize: none; border: 1px solid #e5e5e5; border-radius: 10px; padding: 8px 10px; font: inherit; font-size: 14px; outline: none; min-height: 38px; max-height: 96px; color: #1f1f1f; background: #fff; }
.input:focus { border-color: #e0457b; box-shadow: 0 0 0 2px rgba(224, 69, 123, .12); }
.send { display: flex; align-items: center; gap: 4px; height: 38px; padding: 0 14px; border: none; border-radius: 10px; background: #e0457b; color: #fff; font: inherit; font-size: 14px; cursor: pointer; flex: none; }
.send:hover { background: #c93a6c; }
.brand { text-align: center; font-size: 11px; color: #bfbfbf; padding: 0 0 6px; background: #fff; }
@media (max-width: 480px) {
  .panel { right: 0; bottom: 0; width: 100vw; height: 100%; height: 100dvh; border-radius: 0; }
  .bubble { right: 16px; bottom: 16px; }
  .bubble-open { display: none; }
}
`;
