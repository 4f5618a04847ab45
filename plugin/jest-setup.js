// The scaffold's setup (jest-dom, TextEncoder, matchMedia, canvas) needs a DOM; tests that declare
// `@jest-environment node` (bundle load, plugin.json schema) run without one.
if (typeof window !== 'undefined') {
  require('./.config/jest-setup');
}

// jsdom has no IntersectionObserver; @grafana/scenes creates one when a scene mounts (lazy loading).
// Reporting every target as visible matches a page that is fully on screen.
if (typeof window !== 'undefined' && !('IntersectionObserver' in window)) {
  class VisibleIntersectionObserver {
    constructor(callback) {
      this.callback = callback;
    }
    observe(target) {
      this.callback([{ target, isIntersecting: true, intersectionRatio: 1 }], this);
    }
    unobserve() {}
    disconnect() {}
    takeRecords() {
      return [];
    }
  }
  Object.defineProperty(window, 'IntersectionObserver', {
    writable: true,
    configurable: true,
    value: VisibleIntersectionObserver,
  });
  Object.defineProperty(global, 'IntersectionObserver', {
    writable: true,
    configurable: true,
    value: VisibleIntersectionObserver,
  });
}

// jsdom has no canvas; Grafana UI measures text widths (MultiCombobox, TruncatedText) with a 2D
// context. Approximate metrics (7 px per character) are enough for layout code to run.
if (typeof HTMLCanvasElement !== 'undefined') {
  HTMLCanvasElement.prototype.getContext = function getContext() {
    return {
      font: '',
      measureText: (text) => ({
        width: String(text).length * 7,
        actualBoundingBoxAscent: 10,
        actualBoundingBoxDescent: 3,
      }),
    };
  };
}

// jsdom does no layout, so nothing ever resizes: an observer that never fires is the faithful stand-in.
if (typeof window !== 'undefined' && !('ResizeObserver' in window)) {
  class NoLayoutResizeObserver {
    observe() {}
    unobserve() {}
    disconnect() {}
  }
  Object.defineProperty(window, 'ResizeObserver', {
    writable: true,
    configurable: true,
    value: NoLayoutResizeObserver,
  });
  Object.defineProperty(global, 'ResizeObserver', {
    writable: true,
    configurable: true,
    value: NoLayoutResizeObserver,
  });
}

// Pages talk to a real sidecar and render all of Grafana UI in jsdom; on two busy cores that takes longer
// than Testing Library's 1 s default wait.
if (typeof window !== 'undefined') {
  require('@testing-library/react').configure({ asyncUtilTimeout: 15000 });
}
