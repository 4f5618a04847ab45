import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { locationService } from '@grafana/runtime';
import { sidecarMessage } from '../../testing/sidecarApi';
import { renderAppAt, startTestGrafana, type TestGrafana } from '../../testing/testGrafana';
import { formatCost, formatDuration, formatNumber, formatTime } from '../../utils/format';

const EXPLORER = '/a/ollamalens-explorer-app/explorer';

let grafana: TestGrafana;
beforeAll(async () => {
  grafana = await startTestGrafana();
});
afterAll(() => grafana.stop());

describe('Message detail page', () => {
  it('shows the header, prompt, answer, timing, options and the rest of the session', async () => {
    const id = grafana.sidecar.seed.ids.summarize;
    const { message: m, session_messages } = await sidecarMessage(id);
    renderAppAt(`${EXPLORER}/message/${id}?var-ds=ollamalens-messages&user=alice`);

    const header = await screen.findByLabelText('Message header');
    for (const text of [
      formatTime(m.started_at),
      id,
      'tiny',
      'alice',
      'session-alpha',
      'success',
      'POST /api/chat',
      'summarization',
    ]) {
      expect(header).toHaveTextContent(text);
    }
    expect(
      within(screen.getByLabelText(/^Prompt/)).getByText('Summarize this article about ocean tides in two sentences.')
    ).toBeInTheDocument();
    expect(screen.getByLabelText('Response')).toHaveTextContent(m.response!.content.trim());

    const metrics = screen.getByLabelText('Metrics');
    expect(metrics).toHaveTextContent(`Total duration${formatDuration(m.duration_ms)}`);
    expect(metrics).toHaveTextContent(
      `Tokens in / out${formatNumber(m.input_tokens)} / ${formatNumber(m.output_tokens)}`
    );
    expect(metrics).toHaveTextContent(`Tokens/s${formatNumber(m.tokens_per_second, 1)}`);
    expect(metrics).toHaveTextContent(`Cost${formatCost(m.cost)}`);
    // The test sidecar prices input at 0.5 and output at 1.5 USD per million tokens.
    expect(m.input_cost).toBeCloseTo(((m.input_tokens ?? 0) * 0.5) / 1e6, 12);
    expect(m.output_cost).toBeCloseTo(((m.output_tokens ?? 0) * 1.5) / 1e6, 12);
    expect(metrics).toHaveTextContent(`Cost in / out${formatCost(m.input_cost)} / ${formatCost(m.output_cost)}`);
    expect(metrics).toHaveTextContent('Done reasonlength');
    const timing = screen.getByLabelText('Timing');
    for (const part of ['Model load', 'Prompt evaluation', 'Generation', 'Total']) {
      expect(timing).toHaveTextContent(part);
    }

    const options = screen.getByLabelText('Generation options');
    expect(options).toHaveTextContent('temperature0.7');
    expect(options).toHaveTextContent('top_p0.9');
    expect(options).toHaveTextContent('num_predict8');

    const others = screen.getByLabelText('Other messages in this session');
    expect(within(others).getAllByRole('link')).toHaveLength(session_messages.length);
    expect(others).toHaveTextContent("Translate 'good morning' into French.");
    expect(screen.getByText('All messages of session session-alpha in the Explorer')).toHaveAttribute(
      'href',
      `${EXPLORER}?session=session-alpha`
    );
    // The way back keeps the Explorer's filter the link came with.
    expect(screen.getByText('Back to the Explorer').closest('a')).toHaveAttribute(
      'href',
      `${EXPLORER}?var-ds=ollamalens-messages&user=alice`
    );
  });

  it('offers the raw JSON and the stream replay of a streamed answer', async () => {
    const id = grafana.sidecar.seed.ids.streamed;
    const { message: m } = await sidecarMessage(id);
    expect(m.chunks && m.chunks.length).toBeGreaterThan(1);
    renderAppAt(`${EXPLORER}/message/${id}`);
    await screen.findByLabelText('Message header');
    expect(screen.getByLabelText('Metrics')).toHaveTextContent(`Time to first token${formatDuration(m.ttft_ms)}`);

    fireEvent.click(screen.getByText(`Stream replay (${m.chunks!.length} chunks)`));
    const slider = await screen.findByLabelText('Replay position (ms)');
    const full = m.chunks!.map((c) => c.text ?? '').join('');
    expect(screen.getByLabelText('Replayed text').textContent).toBe(full);
    fireEvent.change(slider, { target: { value: String(Math.floor(m.chunks![0].t_ms)) } });
    expect(screen.getByLabelText('Replayed text').textContent).toBe(
      m
        .chunks!.filter((c) => c.t_ms <= Math.floor(m.chunks![0].t_ms))
        .map((c) => c.text ?? '')
        .join('')
    );
    expect(screen.getByTestId('replay-status')).toHaveTextContent(`of ${m.chunks!.length}`);

    fireEvent.click(screen.getByText('Raw JSON'));
    const raw = await screen.findByLabelText('Raw JSON of the message');
    expect(JSON.parse(raw.textContent ?? '')).toEqual(m);
    expect(screen.getByText('Copy JSON')).toBeInTheDocument();
  });

  it('explains a failed request', async () => {
    const id = grafana.sidecar.seed.ids.missingModel;
    const { message: m } = await sidecarMessage(id);
    renderAppAt(`${EXPLORER}/message/${id}`);
    expect(await screen.findByText(`Request error${m.error_type ? ` (${m.error_type})` : ''}`)).toBeInTheDocument();
    if (m.error_message) {
      expect(screen.getByText(m.error_message)).toBeInTheDocument();
    }
    expect(screen.getByLabelText('Message header')).toHaveTextContent('no-such-model');
  });

  it('says so when the id is unknown, and goes back to the Explorer', async () => {
    renderAppAt(`${EXPLORER}/message/does-not-exist`);
    expect(await screen.findByText('Message not found')).toBeInTheDocument();
    expect(screen.getByText('does-not-exist')).toBeInTheDocument();
    await userEvent.click(screen.getByText('Back to the Explorer'));
    await waitFor(() => expect(locationService.getLocation().pathname).toBe(EXPLORER));
  });
});
