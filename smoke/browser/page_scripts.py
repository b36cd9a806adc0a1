"""The JavaScript smoke runs inside a checked page (read by :mod:`smoke.browser.capture`).

One predicate does the whole wait: Playwright polls it in the page (no round trip per poll) and
it returns the page's state once the page is ready, so a healthy check costs a navigation and a
single wait instead of a chain of waits and reads, each crossing Python → driver → browser.
"""

from __future__ import annotations

# The state the detectors read, computed in the page. `refetch` is the list refetch's outcome when
# it was probed. The HTML is serialised like Playwright's page.content() (doctype + outerHTML).
_STATE_FUNCTION = r"""
function smokeState(refetch, html = null) {
  const out = { bodyClasses: document.body ? [...document.body.classList] : [],
                refetch: refetch || null };
  const nav = performance.getEntriesByType('navigation')[0];
  if (nav) out.timing = { ttfb: nav.responseStart, dcl: nav.domContentLoadedEventStart,
                          load: nav.loadEventStart };
  out.badResources = performance.getEntriesByType('resource')
    .filter(e => e.responseStatus >= 400)
    .map(e => ({ url: e.name, type: e.initiatorType, status: e.responseStatus }));
  out.html = html !== null ? html
    : (document.doctype ? new XMLSerializer().serializeToString(document.doctype) : '')
      + (document.documentElement ? document.documentElement.outerHTML : '');
  if (!window.mw || !mw.config || !mw.loader || typeof mw.loader.getModuleNames !== 'function') {
    return out;
  }
  out.canonical = mw.config.get('wgCanonicalSpecialPageName');
  out.requestId = mw.config.get('wgRequestId');
  out.userName = mw.config.get('wgUserName');
  // ORES scored something shown: oresData is set only with a scored row; RC/WL rows also carry
  // the level classes (the selector runs only when oresData is empty).
  const oresData = mw.config.get('oresData');
  out.oresScored = !!(oresData && typeof oresData === 'object' && Object.keys(oresData).length)
    || !!document.querySelector(
      '[class*="mw-changeslist-damaging-"],[class*="mw-changeslist-goodfaith-"]');
  // The listed revisions (ores-scoring): when, what kind (namespace, bot/human, edit/new, from
  // the filters' row classes) and whether ORES scored them. Capped: the list shows 50 by default.
  const scoredRevs = oresData && typeof oresData === 'object' ? oresData : {};
  out.edits = [...document.querySelectorAll(
    '.mw-changeslist [data-mw-revid], .mw-contributions-list [data-mw-revid]')]
    .slice(0, 500).map(e => {
      const cls = [...e.classList];
      const pick = re => { for (const c of cls) { const m = re.exec(c); if (m) return m[1]; }
                           return ''; };
      const ns = pick(/^mw-changeslist-ns-(-?\d+)$/), who = pick(/^mw-changeslist-(bot|human)$/),
        src = pick(/^mw-changeslist-src-mw-(.+)$/), revId = Number(e.getAttribute('data-mw-revid'));
      return { revId, ts: e.getAttribute('data-mw-ts') || '',
               kind: ns || who || src ? `ns${ns}/${who}/${src}` : '',
               scored: Object.prototype.hasOwnProperty.call(scoredRevs, String(revId))
                 || cls.some(c => /^mw-changeslist-(damaging|goodfaith)-/.test(c)) };
    }).filter(r => r.revId > 0);
  const scf = mw.config.get('wgStructuredChangeFilters');
  out.groups = Array.isArray(scf)
    ? scf.map(g => ({ name: g.name, filters: (g.filters || []).map(f => f.name) })) : null;
  const modules = {};
  for (const name of mw.loader.getModuleNames()) {
    const state = mw.loader.getState(name);
    const watched = /^(ext\.(smoke)?ores|mediawiki\.rcfilters)/.test(name);
    if (state === 'error' || state === 'missing' || watched) {
      modules[name] = state;
    }
  }
  out.modules = modules;
  // Which ORES filters the app shows as selected: match the tag labels against the filters'
  // label messages (the app keeps its model private; the tags are what a user sees).
  const tags = new Set([...document.querySelectorAll('.mw-rcfilters-ui-filterTagItemWidget')]
    .map(e => e.textContent.trim()));
  const active = {};
  for (const g of (Array.isArray(scf) ? scf : [])) {
    if (g.name !== 'damaging' && g.name !== 'goodfaith') continue;
    for (const f of g.filters || []) {
      if (f.label && tags.has(mw.message(f.label).text())) {
        (active[g.name] = active[g.name] || []).push(f.name);
      }
    }
  }
  out.active = active;
  return out;
}
"""

# Read the state now, ready or not (after the wait timed out, or for a page without JS).
# A refetch already started by READY_SCRIPT is reported too (status null: still no answer).
STATE_NOW_SCRIPT = (
    "() => {"
    + _STATE_FUNCTION
    + """
  const s = window.__smokeWait || {};
  const out = smokeState(s.refetch || null);
  out.readyAt = s.readyAt === undefined ? null : s.readyAt;
  out.filtersReady = out.bodyClasses.includes('mw-rcfilters-ui-initialized');
  return out;
}"""
)

# Polled by page.wait_for_function(READY_SCRIPT, arg={filtersApp, settleMs, refetch}).
# Ready means: ResourceLoader settled every module the page asked for (ready, error or missing:
# the load event can come before the startup module has even loaded the base modules) and, on
# RecentChanges/Watchlist with the filters app enabled, the app initialised. Then it waits
# `settleMs` more (errors thrown just after initialisation), meanwhile probing the list refetch
# the filters app makes when a filter changes (the current URL + action=render;
# Controller._queryChangesList), so a broken refetch is seen without clicking through the UI.
# A page without MediaWiki's client code (bare fatal-error pages) is ready at once.
READY_SCRIPT = (
    "(arg) => {"
    + _STATE_FUNCTION
    + r"""
  const s = window.__smokeWait || (window.__smokeWait = {});
  if (s.readyAt === undefined) {
    if (document.documentElement.classList.contains('client-js')) {
      if (!(window.mw && mw.loader && typeof mw.loader.getModuleNames === 'function')) {
        return false;
      }
      const settled = ['ready', 'error', 'missing'];
      const pending = (window.RLPAGEMODULES || []).some(m => {
        const state = mw.loader.getState(m);
        return state !== null && !settled.includes(state);
      });
      if (pending) return false;
    }
    const body = document.body ? document.body.classList : null;
    s.filtersReady = !!(body && body.contains('mw-rcfilters-ui-initialized'));
    if (arg.filtersApp && body && body.contains('mw-rcfilters-enabled') && !s.filtersReady) {
      return false;
    }
    s.readyAt = performance.now();
    if (arg.refetch && arg.filtersApp && s.filtersReady) {
      const url = new URL(location.href);
      url.searchParams.set('action', 'render');
      s.refetch = { url: url.toString(), type: 'fetch', status: null };
      // A network failure also shows up through the requestfailed listener.
      fetch(url.toString(), { credentials: 'same-origin' }).then(
        r => { s.refetch.status = r.status; },
        () => { s.refetch.status = 0; });
    }
  }
  if (performance.now() - s.readyAt < arg.settleMs) return false;
  if (s.refetch && s.refetch.status === null) return false;
  const out = smokeState(s.refetch || null);
  out.readyAt = s.readyAt;
  out.filtersReady = s.filtersReady;
  return out;
}"""
)

# What the filters app does while `document.hidden` is false: it polls for new changes
# (action=render&peek=1) every few seconds. Those polls would run between checks, overlap the
# next page load outside the per-host cap, and are not what a check is about (the refetch is
# probed once, deliberately): every page of smoke's contexts reports itself hidden from the start.
NO_POLLING_SCRIPT = (
    "Object.defineProperty(document, 'hidden', {configurable: true, get: () => true});"
)

# V8's gc(), exposed by the launch flag GC_LAUNCH_ARGS, kept under a name of smoke's before any
# page script runs: a page that defines its own global `gc` (a gadget may) replaces only its own
# binding, never what smoke calls, and cannot redefine smoke's (non-writable, non-configurable).
COLLECT_GARBAGE_NAME = "__smokeCollectGarbage"
GC_HANDLE_SCRIPT = f"""(() => {{
  const collect = globalThis.gc;
  if (typeof collect !== "function") return;
  Object.defineProperty(globalThis, "{COLLECT_GARBAGE_NAME}", {{value: collect}});
}})();"""
# One full collection of the page's V8 heap; a no-op in a browser launched without the flag.
COLLECT_GARBAGE_SCRIPT = f"globalThis.{COLLECT_GARBAGE_NAME}?.()"
GC_LAUNCH_ARGS = ("--js-flags=--expose-gc",)

# --- the in-app path: a variant as the filter change a user makes (docs/loading.md) -----------
# The filters app keeps its controller in a local of its module (MediaWiki 1.39 and 1.43 alike),
# so this init script catches it as it is made: when `window.OO` is assigned (oojs-global.js),
# `OO.initClass` is wrapped; when it is called with the app's class (MwRcfiltersController, the
# same name on both generations), the `initialize` the module then assigns to its prototype is
# wrapped to keep the instance under a name of smoke's. Nothing of the app's behaviour changes.
CONTROLLER_NAME = "__smokeRcController"
CONTROLLER_HOOK_SCRIPT = f"""(() => {{
  const keep = (controller) => Object.defineProperty(window, "{CONTROLLER_NAME}",
    {{value: controller, configurable: true, writable: true}});
  const hook = (oo) => {{
    const initClass = oo && oo.initClass;
    if (typeof initClass !== "function") return;
    oo.initClass = function (cls) {{
      const made = initClass.apply(this, arguments);
      if (typeof cls === "function" && cls.name === "MwRcfiltersController") {{
        let initialize;
        Object.defineProperty(cls.prototype, "initialize", {{configurable: true,
          get: () => initialize,
          set: (f) => {{
            initialize = function () {{ keep(this); return f.apply(this, arguments); }};
          }}
        }});
      }}
      return made;
    }};
  }};
  Object.defineProperty(window, "OO", {{configurable: true, enumerable: true,
    get: () => undefined,
    set: (value) => {{
      Object.defineProperty(window, "OO",
        {{value, writable: true, configurable: true, enumerable: true}});
      try {{ hook(value); }} catch (e) {{ /* an unexpected OO: the in-app path is unavailable */ }}
    }}
  }});
}})();"""

# One variant in a page whose filters app is up: what the app does when a user changes filters.
# The URL becomes the variant's (pushState), the app reads its filters from it as it does on a
# load (updateStateFromUrl without fetching), then refetches the list with those parameters
# (updateChangesList: the same special page, action=render) and shows it. Returns the page's
# state as READY_SCRIPT does, with the refetch as the variant's response (its status and body),
# or null when the app is not there to ask (the caller loads the URL).
IN_APP_SCRIPT = (
    "async (arg) => {"
    + _STATE_FUNCTION
    + f"""
  const c = window.{CONTROLLER_NAME};
  const body = document.body ? document.body.classList : null;
  if (!c || typeof c.isInitialized !== 'function' || !c.isInitialized()
      || !body || !body.contains('mw-rcfilters-ui-initialized')) {{
    return null;
  }}
  const proto = Object.getPrototypeOf(c);
  const answer = {{}};
  c._queryChangesList = function (counterId, params) {{
    const asked = proto._queryChangesList.call(this, counterId, params);
    asked.then(d => {{ if (d) {{ answer.status = d.status; answer.content = d.content; }} }});
    return asked;
  }};
  performance.clearResourceTimings();
  const started = performance.now();
  let timer;
  const late = new Promise(resolve => {{
    timer = setTimeout(() => resolve('late'), arg.timeoutMs);
  }});
  let ended;
  try {{
    history.pushState(history.state, '', arg.url);
    c.updateStateFromUrl(false);
    ended = await Promise.race([Promise.resolve(c.updateChangesList()).then(() => 'done'), late]);
  }} catch (e) {{
    ended = 'error: ' + e;
  }} finally {{
    clearTimeout(timer);
    delete c._queryChangesList;
  }}
  if (ended !== 'done' || answer.status === undefined) return {{ended: ended || 'no answer'}};
  const readyAt = performance.now() - started;
  await new Promise(resolve => setTimeout(resolve, arg.settleMs));
  const fetched = performance.getEntriesByType('resource')
    .filter(e => e.initiatorType === 'xmlhttprequest' && /[?&]action=render/.test(e.name));
  const entry = fetched[fetched.length - 1];
  // The HTML judged is the server's answer for the variant (the refetched list, or its error
  // page), not the whole document again: the rest of the page is the full load's, judged then.
  const out = smokeState(null, typeof answer.content === 'string' ? answer.content : null);
  out.ended = ended;
  out.readyAt = readyAt;
  out.filtersReady = true;
  out.listUrl = entry ? entry.name : location.href;
  out.timing = {{ ttfb: entry ? entry.responseStart - started : null, dcl: null, load: null }};
  out.status = answer.status;
  return out;
}}"""
)
