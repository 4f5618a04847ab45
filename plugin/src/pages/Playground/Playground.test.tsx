/**
 * The Playground against a sidecar of this file's own (its read token is all the chat route needs; the
 * exchanges must not change what other files count on the globalSetup's sidecar) and the real Ollama: the answer streams into the page chunk by chunk, Stop closes the
 * request (the sidecar stores the exchange as cancelled, as it does when any client hangs up), and the
 * link after an exchange opens the stored message, tagged as the playground's.
 */
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  EXPLORER_MESSAGE_PATH,
  MODELS_API,
  type InstalledModels,
  type MessageDetailResponse,
} from '@ollama-lens/contracts';
import { TINY_EMBEDDING_MODEL } from '@ollama-lens/testkit/ollama';
import { startOwnSidecar, type OwnSidecar } from '../../testing/ownSidecar';
import { sidecarGet } from '../../testing/sidecarApi';
import { renderAppAt, startTestGrafana, type TestGrafana } from '../../testing/testGrafana';
import { PLAYGROUND_TEST_IDS } from './testIds';

const PAGE = '/a/ollamalens-explorer-app/playground';

let sidecar: OwnSidecar;
let grafana: TestGrafana;
/** Every installed model, in the sidecar's order. */
let all: InstalledModels['installed'];
/** The ones that can chat (the embedding model left out): the page's model picker lists these. */
let installed: string[];
beforeAll(async () => {
  sidecar = await startOwnSidecar('playground');
  grafana = await startTestGrafana({ dataSource: { url: sidecar.url, token: sidecar.token } });
  all = (await sidecarGet<InstalledModels>(MODELS_API.installed, sidecar)).installed;
  installed = all.filter((m) => m.capabilities.includes('completion')).map((m) => m.name);
});
afterAll(async () => {
  await grafana?.stop();
  await sidecar?.stop();
});

/** The stored message once the store has written it (the writer batches). */
async function storedMessage(id: string): Promise<MessageDetailResponse['message']> {
  let found: MessageDetailResponse | undefined;
  await waitFor(async () => {
    found = await sidecarGet<MessageDetailResponse>(`/analytics/messages/${encodeURIComponent(id)}`, sidecar);
  });
  return found!.message;
}

function messageIdOf(link: HTMLElement): string {
  const href = within(link).getByRole('link').getAttribute('href') ?? '';
  expect(href.startsWith(`${EXPLORER_MESSAGE_PATH}/`)).toBe(true);
  return decodeURIComponent(href.slice(EXPLORER_MESSAGE_PATH.length + 1));
}

/** Every distinct text the answer showed, in order (what a person watching it saw). */
function watchText(element: HTMLElement): string[] {
  const seen: string[] = [element.textContent ?? ''];
  new MutationObserver(() => {
    const text = element.textContent ?? '';
    if (text !== seen[seen.length - 1]) {
      seen.push(text);
    }
  }).observe(element, { childList: true, characterData: true, subtree: true });
  return seen;
}

async function setOption(label: RegExp, value: string) {
  const input = screen.getByLabelText(label);
  await userEvent.clear(input);
  await userEvent.type(input, value);
}

describe('Playground page', () => {
  // First: the scene app is kept between renders (as in Grafana), so later tests start with earlier answers.
  it('refuses an option Ollama would refuse, naming it', async () => {
    renderAppAt(PAGE);
    await waitFor(() => expect(screen.getByRole('combobox', { name: 'Model' })).not.toHaveValue(''));
    await setOption(/^Max tokens/, '2.5');
    await userEvent.type(screen.getByLabelText('Prompt'), 'Hi');
    await userEvent.click(screen.getByRole('button', { name: 'Send' }));
    expect(
      await screen.findByText('num_predict must be a whole number from -2 to 1000000, got "2.5"')
    ).toBeInTheDocument();
    expect(screen.queryByTestId(PLAYGROUND_TEST_IDS.answer(0))).toBeNull();
  });
  it('streams the answer chunk by chunk with TTFT and tokens/s, then links to the stored playground message', async () => {
    const [model] = installed;
    renderAppAt(PAGE);
    // The first installed model is preselected (no default model is set on this sidecar).
    await waitFor(() => expect(screen.getByRole('combobox', { name: 'Model' })).toHaveValue(model));
    await setOption(/^Max tokens/, '40');
    await setOption(/^Seed/, '7');
    await userEvent.type(screen.getByLabelText('Prompt'), 'Count to ten.');
    await userEvent.click(screen.getByRole('button', { name: 'Send' }));

    const text = await screen.findByTestId(PLAYGROUND_TEST_IDS.answerText(0));
    const seen = watchText(text);
    const panel = screen.getByTestId(PLAYGROUND_TEST_IDS.answer(0));
    const link = await within(panel).findByTestId(PLAYGROUND_TEST_IDS.messageLink(0), {}, { timeout: 30000 });
    // More than one partial text before the whole: the answer arrived piece by piece.
    expect(seen.filter((t) => t !== '' && t !== text.textContent).length).toBeGreaterThan(1);
    expect(within(panel).getByText('done')).toBeInTheDocument();
    expect(screen.getByTestId(PLAYGROUND_TEST_IDS.ttft(0)).textContent).toMatch(/^TTFT \d/);
    expect(screen.getByTestId(PLAYGROUND_TEST_IDS.tokensPerSecond(0)).textContent).toMatch(/^[\d,.]+ tokens\/s$/);

    const stored = await storedMessage(messageIdOf(link));
    expect(stored).toMatchObject({ origin: 'playground', model: model, status: 'success' });
    expect(stored.output_tokens).toBeGreaterThan(1);
  });

  it('Stop aborts the stream, and the sidecar stores the exchange as cancelled', async () => {
    renderAppAt(PAGE);
    await waitFor(() => expect(screen.getByRole('combobox', { name: 'Model' })).not.toHaveValue(''));
    // Far more tokens than it could make before Stop: only the stop can end this answer.
    await setOption(/^Max tokens/, '1000000');
    await setOption(/^Context length/, '512');
    await userEvent.type(screen.getByLabelText('Prompt'), 'Write forever.');
    await userEvent.click(screen.getByRole('button', { name: 'Send' }));
    const text = await screen.findByTestId(PLAYGROUND_TEST_IDS.answerText(0));
    await waitFor(() => expect(text.textContent).not.toBe(''));
    await userEvent.click(screen.getByRole('button', { name: 'Stop' }));

    const panel = screen.getByTestId(PLAYGROUND_TEST_IDS.answer(0));
    await within(panel).findByText('stopped');
    const frozen = text.textContent;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(text.textContent).toBe(frozen);
    const link = await within(panel).findByTestId(PLAYGROUND_TEST_IDS.messageLink(0));
    const stored = await storedMessage(messageIdOf(link));
    expect(stored).toMatchObject({ origin: 'playground', status: 'cancelled' });
    expect(stored.output_tokens ?? 0).toBeLessThan(1000000);
  });

  it('runs one prompt on two models side by side', async () => {
    const [first, second] = installed;
    renderAppAt(PAGE);
    await waitFor(() => expect(screen.getByRole('combobox', { name: 'Model' })).toHaveValue(first));
    await userEvent.click(screen.getByLabelText('Compare with a second model'));
    expect(screen.getByRole('combobox', { name: 'Second model' })).toHaveValue(second);
    await setOption(/^Max tokens/, '16');
    await userEvent.type(screen.getByLabelText('Prompt'), 'Hello');
    await userEvent.click(screen.getByRole('button', { name: 'Send' }));
    const left = await screen.findByTestId(PLAYGROUND_TEST_IDS.answer(0));
    const right = await screen.findByTestId(PLAYGROUND_TEST_IDS.answer(1));
    expect(left).toHaveAttribute('aria-label', `Answer of ${first}`);
    expect(right).toHaveAttribute('aria-label', `Answer of ${second}`);
    const links = await Promise.all([
      within(left).findByTestId(PLAYGROUND_TEST_IDS.messageLink(0), {}, { timeout: 30000 }),
      within(right).findByTestId(PLAYGROUND_TEST_IDS.messageLink(1), {}, { timeout: 30000 }),
    ]);
    const ids = links.map(messageIdOf);
    expect(new Set(ids).size).toBe(2);
    expect((await storedMessage(ids[1])).model).toBe(second);
  });

  it('a follow-up carries the conversation; New conversation starts afresh', async () => {
    renderAppAt(PAGE);
    const compare = screen.getByLabelText('Compare with a second model');
    if ((compare as HTMLInputElement).checked) {
      await userEvent.click(compare);
    }
    await setOption(/^Max tokens/, '8');
    const ask = async (prompt: string) => {
      await userEvent.type(screen.getByLabelText('Prompt'), prompt);
      await userEvent.click(screen.getByRole('button', { name: 'Send' }));
      const panel = screen.getByTestId(PLAYGROUND_TEST_IDS.answer(0));
      const link = await within(panel).findByTestId(PLAYGROUND_TEST_IDS.messageLink(0), {}, { timeout: 30000 });
      return { id: messageIdOf(link), answer: screen.getByTestId(PLAYGROUND_TEST_IDS.answerText(0)).textContent };
    };
    const first = await ask('First question');
    const second = await ask('Second question');
    expect(
      within(screen.getByRole('list', { name: 'Earlier in this conversation' })).getAllByRole('listitem')
    ).toHaveLength(2);
    const stored = await storedMessage(second.id);
    expect(stored.prompt?.messages?.map((m) => [m.role, m.content])).toEqual([
      ['user', 'First question'],
      ['assistant', first.answer],
      ['user', 'Second question'],
    ]);

    await userEvent.click(screen.getByRole('button', { name: 'New conversation' }));
    expect(screen.queryByTestId(PLAYGROUND_TEST_IDS.answer(0))).toBeNull();
    const fresh = await ask('Third question');
    expect((await storedMessage(fresh.id)).prompt?.messages?.map((m) => m.content)).toEqual(['Third question']);
  });

  it('offers only the models that can chat: the embedding model Ollama lists is left out', async () => {
    const embedding = `${TINY_EMBEDDING_MODEL}:latest`;
    // Newest first, so without the filter it would be the preselected model.
    expect(all[0]).toMatchObject({ name: embedding, capabilities: ['embedding'] });
    renderAppAt(PAGE);
    const picker = screen.getByRole('combobox', { name: 'Model' });
    await waitFor(() => expect(picker).toHaveValue(installed[0]));
    // The list itself (virtualised, so empty in jsdom) is checked in Chromium: browser/models.browser.test.ts.
  });
});
