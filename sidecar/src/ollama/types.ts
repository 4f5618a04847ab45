/** Shapes of Ollama's native and OpenAI-compatible bodies, as far as the tap reads them. */

export interface NativeMessage {
  role?: string;
  content?: string;
  thinking?: string;
  images?: unknown[];
  tool_calls?: NativeToolCall[];
  tool_name?: string;
}

export interface NativeToolCall {
  id?: string;
  function?: { index?: number; name?: string; arguments?: unknown };
}

/** One native NDJSON line or a whole native non-streamed answer. */
export interface NativeFrame {
  model?: string;
  created_at?: string;
  response?: string;
  thinking?: string;
  message?: NativeMessage;
  tool_calls?: NativeToolCall[];
  done?: boolean;
  done_reason?: string;
  total_duration?: number;
  load_duration?: number;
  prompt_eval_count?: number;
  prompt_eval_duration?: number;
  eval_count?: number;
  eval_duration?: number;
  embeddings?: unknown[];
  embedding?: unknown[];
  status?: string;
  error?: string;
}

export interface OpenAIToolCallDelta {
  index?: number;
  id?: string;
  type?: string;
  function?: { name?: string; arguments?: string };
}

export interface OpenAIChoice {
  index?: number;
  delta?: { role?: string; content?: string | null; reasoning?: string; tool_calls?: OpenAIToolCallDelta[] };
  message?: {
    role?: string;
    content?: string | null;
    reasoning?: string;
    tool_calls?: OpenAIToolCallDelta[];
  };
  text?: string;
  finish_reason?: string | null;
}

export interface OpenAIUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
}

/** One /v1 SSE data frame or a whole /v1 non-streamed answer. */
export interface OpenAIFrame {
  id?: string;
  object?: string;
  model?: string;
  choices?: OpenAIChoice[];
  usage?: OpenAIUsage | null;
  data?: unknown[];
  error?: { message?: string; type?: string } | string;
}
