/** Test ids of the Playground, read by its components, the jsdom tests and the plugin-e2e specs alike. */
export const PLAYGROUND_TEST_IDS = {
  answer: (slot: number) => `ollamalens-playground-answer-${slot}`,
  answerText: (slot: number) => `ollamalens-playground-answer-text-${slot}`,
  ttft: (slot: number) => `ollamalens-playground-ttft-${slot}`,
  tokensPerSecond: (slot: number) => `ollamalens-playground-tps-${slot}`,
  messageLink: (slot: number) => `ollamalens-playground-message-${slot}`,
} as const;
