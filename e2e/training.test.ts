import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { browserStack, loginAs, newPage, screenshot } from './browser.js';

/**
 * The training platform (知识库/训练) in a real browser against a real kefu with the demo knowledge
 * base: a trainer tests a sentence, edits an FAQ, publishes a version and evaluates the model.
 */

const s = browserStack();

/** the training menu on the left of the training area */
const openTraining = async (page: Page, item: string) => {
  await page.getByRole('menuitem', { name: item }).click();
};

describe('training platform (browser)', () => {
  it('a trainer tests 怎么开发票, edits its FAQ, publishes a new version and sees the confusion heatmap', async () => {
    const { ctx, page, errors } = await newPage(s.browser, s.kefu.url, 'pc');
    await loginAs(page, 'trainer');

    // the nav shows the training area for trainers
    await page.getByTestId('nav-training').click();
    await page.waitForURL(/\/training\/intents$/);
    await page.getByTestId('intents-page').waitFor();

    // ── test console ──
    await openTraining(page, '测试台');
    await page.waitForURL(/\/training\/test$/);
    await page.getByTestId('test-input').fill('怎么开发票');
    await page.getByTestId('test-run').click();
    await page.getByTestId('test-result').waitFor();
    const top = page.getByTestId('test-intent').first();
    expect(await top.getAttribute('data-name')).toBe('发票开具');
    expect(await page.getByTestId('test-band').getAttribute('data-band')).toBe('answer');
    const answer = (await page.getByTestId('test-answer').textContent()) ?? '';
    expect(answer).toContain('发票');
    expect(answer, 'the answer explains the steps').toMatch(/1\.[\s\S]*2\./);
    expect(await page.getByTestId('test-tokens').textContent()).toContain('发票');
    await page.mouse.move(0, 0);
    await screenshot(page, 'training-test.png');

    // ── the intent names the skill routing needs ──
    await openTraining(page, '意图管理');
    await page.getByTestId('intents-page').getByText('发票开具', { exact: true }).click();
    const skill = page.getByTestId('intent-skill').locator('input');
    await expect.poll(() => skill.inputValue()).toBe('发票');
    await screenshot(page, 'training-intent-editor.png');
    await page.keyboard.press('Escape');
    await skill.waitFor({ state: 'hidden' });

    // ── edit the FAQ ──
    await openTraining(page, 'FAQ 管理');
    await page.getByTestId('faq-question').filter({ hasText: '怎么开发票' }).first().click();
    const question = page.getByTestId('faq-question-input');
    await question.waitFor();
    expect(await question.inputValue()).toContain('怎么开发票');
    const similar = page.getByTestId('faq-similar-input');
    await similar.fill('发票在小程序哪里开');
    await similar.press('Enter');
    await page.getByTestId('faq-similar').getByText('发票在小程序哪里开').waitFor();
    await screenshot(page, 'training-faq-editor.png');
    await page.getByTestId('faq-save').click();
    await page.getByText('已保存（草稿），发布后生效').waitFor();
    await question.waitFor({ state: 'hidden' });

    // ── publish ──
    await openTraining(page, '发布与版本');
    await page.getByTestId('draft-changed').waitFor();
    const before = Number(await page.getByTestId('published-version').getAttribute('data-version'));
    await page.getByTestId('publish-open').click();
    await page.getByTestId('publish-note').fill('发票 FAQ 增加相似问法');
    await page.getByTestId('publish-confirm').click();
    const done = page.getByTestId('publish-done');
    await done.waitFor({ timeout: 60_000 });
    expect(Number(await done.getAttribute('data-version'))).toBe(before + 1);
    expect(await done.textContent()).toMatch(/\d+ ms/);
    await page.getByTestId('publish-close').click();
    await expect.poll(() => page.getByTestId('published-version').getAttribute('data-version')).toBe(String(before + 1));
    await page.getByTestId('versions-table').getByText('发票 FAQ 增加相似问法').waitFor();
    await page.locator('.ant-modal-wrap').waitFor({ state: 'hidden' });
    await page.locator('.ant-message-notice').first().waitFor({ state: 'detached' });
    await page.mouse.move(0, 0);
    await screenshot(page, 'training-publish.png');

    // the published model knows the new phrasing
    await openTraining(page, '测试台');
    await page.getByTestId('test-use').getByText('线上版本').click();
    await page.getByTestId('test-input').fill('发票在小程序哪里开');
    await page.getByTestId('test-run').click();
    await expect.poll(async () => page.getByTestId('test-intent').first().getAttribute('data-name')).toBe('发票开具');

    // ── evaluation ──
    await openTraining(page, '评估');
    await page.getByTestId('eval-run').click();
    await page.getByTestId('eval-result').waitFor({ timeout: 80_000 });
    const canvas = page.getByTestId('confusion-heatmap').locator('canvas');
    await canvas.first().waitFor();
    const box = await canvas.first().boundingBox();
    expect(box!.width).toBeGreaterThan(200);
    expect(box!.height).toBeGreaterThan(200);
    expect(Number(await page.getByTestId('eval-accuracy').getAttribute('data-value'))).toBeGreaterThan(0.5);
    await page.waitForTimeout(600); // the chart's entry animation
    await page.mouse.move(0, 0);
    await screenshot(page, 'training-evaluate.png');

    // a deep link survives a reload (the server answers index.html for unknown GETs)
    await page.reload();
    await page.getByTestId('evaluate-page').waitFor();
    expect(new URL(page.url()).pathname).toBe('/training/evaluate');

    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('agents do not see the training area; a deep link sends them to the workspace', async () => {
    const { ctx, page, errors } = await newPage(s.browser, s.kefu.url, 'pc');
    await loginAs(page, 'agent1');
    expect(await page.getByTestId('nav-training').count()).toBe(0);
    await page.goto('/training/intents');
    await page.getByTestId('connection-status').and(page.locator('[data-state="connected"]')).waitFor();
    await page.waitForURL((u) => u.pathname === '/');
    expect(await page.getByTestId('nav-training').count()).toBe(0);
    expect(errors).toEqual([]);
    await ctx.close();
  });
});
