import { describe, it, expect } from 'vitest';
import { XmlError, buildXml, parseXml } from './xml.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(XmlError);
    return (e as XmlError).code;
  }
  return undefined;
}

describe('parseXml', () => {
  it('parses the official envelope with newlines and whitespace between elements', () => {
    const body =
      '<xml>\n<ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName><Encrypt><![CDATA[RypEvHKD8QQ+6k4a/E7Q==]]></Encrypt>\n' +
      '  <AgentID><![CDATA[218]]></AgentID>\n</xml>';
    expect(parseXml(body)).toEqual({ ToUserName: 'wx5823bf96d3bd56c7', Encrypt: 'RypEvHKD8QQ+6k4a/E7Q==', AgentID: '218' });
  });

  it('keeps values as strings, unwraps CDATA, keeps CDATA content verbatim', () => {
    const r = parseXml(
      '<?xml version="1.0" encoding="UTF-8"?><xml><CreateTime>1409659813</CreateTime><MsgId>4561255354251345929</MsgId>' +
        '<Zero>007</Zero><Content><![CDATA[你好 <b>&amp; ]]></Content><Plain>a &lt; b &amp; c &#20013;</Plain><Empty><![CDATA[]]></Empty><Self/></xml>',
    );
    expect(r.CreateTime).toBe('1409659813');
    expect(r.MsgId).toBe('4561255354251345929'); // no precision loss
    expect(r.Zero).toBe('007');
    expect(r.Content).toBe('你好 <b>&amp; ');
    expect(r.Plain).toBe('a < b & c 中');
    expect(r.Empty).toBe('');
    expect(r.Self).toBe('');
  });

  it('parses the decrypted kf_msg_or_event inner XML', () => {
    const r = parseXml(
      '<xml><ToUserName><![CDATA[ww12345678910]]></ToUserName><CreateTime><![CDATA[1348831860]]></CreateTime>' +
        '<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[kf_msg_or_event]]></Event>' +
        '<Token><![CDATA[ENCApHxnGDNAVNY4AaSJKj4Tb5mwsEMzxhFmHVGcra996NR]]></Token><OpenKfId><![CDATA[wkxxxxxxx]]></OpenKfId></xml>',
    );
    expect(r).toMatchObject({ MsgType: 'event', Event: 'kf_msg_or_event', OpenKfId: 'wkxxxxxxx', CreateTime: '1348831860' });
  });

  it('rejects DOCTYPE / ENTITY (billion laughs, XXE)', () => {
    const lol =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">' +
      '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><xml><Content>&lol3;</Content></xml>';
    expect(codeOf(() => parseXml(lol))).toBe('xml_doctype_forbidden');
    const xxe = '<!DOCTYPE foo [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]><xml><a>&xxe;</a></xml>';
    expect(codeOf(() => parseXml(xxe))).toBe('xml_doctype_forbidden');
    expect(codeOf(() => parseXml('<xml><a>1</a></xml><!ENTITY x "y">'))).toBe('xml_doctype_forbidden');
    expect(codeOf(() => parseXml('<!doctype xml><xml></xml>'))).toBe('xml_doctype_forbidden');
  });

  it('does not expand undeclared entities', () => {
    expect(parseXml('<xml><a>&lol;</a></xml>').a).toBe('&lol;');
  });

  it('rejects malformed input and non-<xml> roots', () => {
    for (const bad of ['', '   ', 'hello', '<xml><a>1</a>', '<xml><a>1</b></xml>', '<root><a>1</a></root>', '<xml>text</xml>', '<xml/><xml/>', '{"encrypt":"x"}']) {
      expect(codeOf(() => parseXml(bad))).toBe('xml_malformed');
    }
  });
});

describe('buildXml', () => {
  it('uses CDATA for strings and bare text for numbers, and round-trips', () => {
    const xml = buildXml({ ToUserName: 'ww1', CreateTime: 1700000000, Content: '中文 <b>&', Tricky: 'a]]>b', Empty: '' });
    expect(xml).toContain('<ToUserName><![CDATA[ww1]]></ToUserName>');
    expect(xml).toContain('<CreateTime>1700000000</CreateTime>');
    expect(xml.startsWith('<xml>') && xml.endsWith('</xml>')).toBe(true);
    expect(parseXml(xml)).toEqual({ ToUserName: 'ww1', CreateTime: '1700000000', Content: '中文 <b>&', Tricky: 'a]]>b', Empty: '' });
  });

  it('rejects invalid element names', () => {
    expect(codeOf(() => buildXml({ 'a b': 'x' }))).toBe('xml_malformed');
  });
});
