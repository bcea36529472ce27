import { mulberry32 } from './classifier.js';

/**
 * The background ("none") class for out-of-scope detection.
 *
 * Why: a softmax over the known intents always sums to 1, so without a rival class a message
 * about the weather is simply pushed onto the nearest intent, often with a high confidence.
 * Trained on generic text about nothing a shop's customer service handles (chit-chat, general
 * knowledge, other companies' products, gibberish), the none class gives such messages a place
 * to go, while in-domain words keep pulling towards the intents. It is one of three signals
 * (with the calibrated maximum probability and the coverage of the knowledge base's vocabulary),
 * so that a single one misfiring does not decide alone. Generated here, seeded, no download.
 *
 * It deliberately avoids shop words (订单, 退款, 快递, 会员, 客服 …) and greetings (你好, 在吗),
 * which knowledge bases usually cover.
 */

const CHITCHAT = [
  '今天天气怎么样', '明天会下雨吗', '外面冷不冷', '这周末天气好吗', '北京今天多少度', '最近雾霾严重吗',
  '给我讲个笑话', '讲个故事听听', '你会唱歌吗', '你喜欢什么颜色', '你几岁了', '你是男的还是女的',
  '你有男朋友吗', '你吃饭了吗', '晚上吃什么好', '推荐一部好看的电影', '最近有什么好看的电视剧', '周杰伦的新歌叫什么',
  '世界杯谁是冠军', '湖人队昨天赢了吗', '梅西和c罗谁厉害', '股票明天会涨吗', '比特币还能买吗', '基金怎么定投',
  '一加一等于几', '地球到月亮有多远', '太阳系有几大行星', '珠穆朗玛峰有多高', '中国有多少个省', '长城有多长',
  '红烧肉怎么做', '西红柿炒鸡蛋的做法', '怎么煮米饭好吃', '减肥吃什么好', '怎么学好英语', '高考志愿怎么填',
  '去三亚旅游要准备什么', '云南有什么好玩的地方', '火车票怎么抢', '机票什么时候买便宜', '护照怎么办理', '驾照怎么考',
  '我好无聊啊', '陪我聊聊天', '你是机器人吗', '你叫什么名字', '你会做数学题吗', '今天星期几',
  '现在几点了', '帮我写一首诗', '翻译一下hello world', '猫为什么喜欢睡觉', '狗狗能吃巧克力吗', '怎么养多肉植物',
  '失眠了怎么办', '感冒了吃什么药', '怎么才能长高', '如何提高记忆力', '人生的意义是什么', '宇宙有多大',
  '房价还会跌吗', '公积金怎么提取', '社保断了怎么办', '个税怎么申报', '怎么找工作', '简历怎么写',
  '王者荣耀怎么上分', '原神抽卡攻略', '英雄联盟新赛季', '吃鸡游戏怎么玩', '我的世界怎么建房子', '开心消消乐过不了关',
];

/** other companies' products and services (a cosmetics shop does not support these) */
const OTHER_BRANDS = ['华为', '小米', '苹果', 'iphone', '三星', 'oppo', 'vivo', '联想', '特斯拉', '比亚迪', '大疆', '索尼', '佳能', '戴尔', '惠普', '任天堂', '小鹏', '理想'];
const OTHER_THINGS = ['手机', '电脑', '汽车', '路由器', '平板', '耳机', '打印机', '电视', '冰箱', '洗衣机', '空调', '显卡', '游戏机', '软件'];
const OTHER_ACTIONS = ['怎么刷机', '怎么重装系统', '怎么升级系统', '怎么连蓝牙', '怎么root', '怎么越狱', '怎么投屏', '怎么截图', '怎么清理内存', '怎么连wifi', '怎么恢复出厂设置', '怎么换电池', '怎么加内存', '怎么设置开机密码', '怎么充电', '死机了怎么办', '黑屏了怎么修'];

const LATIN = 'abcdefghijklmnopqrstuvwxyz';
const RANDOM_HAN = '的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明';

export function backgroundExamples(seed = 7, count = 160): string[] {
  const rand = mulberry32(seed);
  const pick = <T>(a: readonly T[]) => a[Math.floor(rand() * a.length)];
  const out = new Set<string>(CHITCHAT);
  let guard = 0;
  while (out.size < CHITCHAT.length + Math.floor(count * 0.45) && guard++ < 10_000) {
    out.add(pick(OTHER_BRANDS) + pick(OTHER_THINGS) + pick(OTHER_ACTIONS));
  }
  guard = 0;
  while (out.size < CHITCHAT.length + Math.floor(count * 0.45) + Math.floor(count * 0.25) && guard++ < 10_000) {
    // keyboard mashing: asdfgh, qwer zxcv, 123abc
    const len = 4 + Math.floor(rand() * 6);
    let s = '';
    for (let i = 0; i < len; i++) s += rand() < 0.8 ? LATIN[Math.floor(rand() * 26)] : String(Math.floor(rand() * 10));
    out.add(s);
  }
  guard = 0;
  while (out.size < CHITCHAT.length + count && guard++ < 10_000) {
    // random Chinese characters (word salad)
    const len = 3 + Math.floor(rand() * 6);
    let s = '';
    for (let i = 0; i < len; i++) s += RANDOM_HAN[Math.floor(rand() * RANDOM_HAN.length)];
    out.add(s);
  }
  return [...out];
}
