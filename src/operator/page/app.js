// The release dashboard: plain DOM, no framework. It polls the control API (see src/operator/api.ts) and renders
// releases, stages with live counts, verdicts with their evidence and charts, the decision history, and approve /
// reject for a release that waits. Every value from the API goes in through textContent, never as HTML.
(function dashboard() {
  'use strict';

  const meta = (name) => document.querySelector(`meta[name="${name}"]`)?.getAttribute('content') ?? '';
  const apiBase = meta('ota-release-api').replace(/\/$/, '');
  const token = meta('ota-release-token');
  const refreshMs = Math.max(250, Number(meta('ota-release-refresh')) || 1000);
  // The stack serves the page read-only to view-link holders: a view link shows a release and never changes it.
  const readOnly = meta('ota-release-mode') === 'read-only';

  // notice: the answer to the operator's last action; it outlives the waiting box, which goes once the release moves on.
  const state = { selected: decodeURIComponent((location.hash.match(/release=([^&]+)/) || [])[1] || ''), waitKey: '', notice: undefined };
  // Live counts this page has read, per release and stage (countsAt → counts): the counts chart draws them between the
  // verdicts the release recorded. Kept only while the page is open.
  const readings = new Map();

  // ---- talking to the API -------------------------------------------------------------------------------------
  async function api(path, body) {
    const headers = { accept: 'application/json' };
    if (token) headers['x-ota-release-token'] = token;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${apiBase}/api${path}`, { method: body === undefined ? 'GET' : 'POST', headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const data = await response.json().catch(() => ({ error: `HTTP ${response.status}` }));
    if (!response.ok) throw Object.assign(new Error(data.error || `HTTP ${response.status}`), { status: response.status });
    return data;
  }

  // ---- small DOM helpers -------------------------------------------------------------------------------------
  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attributes || {})) {
      if (value === undefined || value === false) continue;
      if (key === 'class') node.className = value;
      // CSSOM, not a style attribute: the page's Content-Security-Policy forbids inline styles.
      else if (key === 'style') Object.assign(node.style, value);
      else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? '' : String(value));
    }
    for (const child of children.flat(Infinity)) {
      if (child === undefined || child === null || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }
  // As the judge writes them (src/domain/percent.ts): a rate with one decimal, a limit as few as it needs.
  const pct = (x, digits = 1) => `${(x * 100).toFixed(digits)} %`;
  const limit = (x) => `${Number((x * 100).toFixed(2))} %`;
  const count = (n) => Number(n).toLocaleString('en-US');
  // As the CLI writes durations (formatDuration in src/domain/duration.ts): 5400 → `1h30m`.
  const duration = (seconds) => {
    let rest = Math.round(seconds);
    const parts = [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]].map(([unit, size]) => { const n = Math.floor(rest / size); rest -= n * size; return n > 0 ? `${n}${unit}` : ''; });
    return parts.join('') || '0s';
  };
  // Times as the CLI writes them (UTC, `2026-11-24 12:00:05Z`); a release of the embedded cloud runs on a simulated
  // clock from its real start, so its later times read as simulated time since the start (`+2h`), never as dates.
  const utc = (iso) => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '');
  const timeIn = (view) => (iso) => (!iso ? '' : view.clock === 'simulated' ? `+${duration(Math.max(0, Date.parse(iso) - Date.parse(view.createdAt)) / 1000)}` : utc(iso));
  const badge = (text, kind) => el('span', { class: `badge badge-${String(kind || text).toLowerCase().replace(/[^a-z-]/g, '-')}` }, text);

  function showProblem(message) {
    const problem = document.getElementById('problem');
    problem.hidden = !message;
    problem.textContent = message || '';
  }

  // ---- the release list --------------------------------------------------------------------------------------
  function renderList(list) {
    document.getElementById('where').textContent = list.where;
    const ul = document.getElementById('release-list');
    if (list.releases.length === 0) {
      ul.replaceChildren(el('li', { class: 'empty' }, 'No releases yet. Start one with ota-release start or simulate.'));
      return;
    }
    if (!state.selected) state.selected = (list.releases.find((r) => r.awaitingApproval) || list.releases[0]).releaseId;
    ul.replaceChildren(
      ...list.releases.map((release) =>
        el(
          'li',
          { class: release.releaseId === state.selected ? 'selected' : undefined },
          el(
            'a',
            { href: `#release=${encodeURIComponent(release.releaseId)}`, 'data-release': release.releaseId, onclick: () => select(release.releaseId) },
            el('span', { class: 'id' }, release.releaseId),
            el('span', { class: 'meta' }, `${release.version} · ${release.stageName} (${release.stageIndex + 1}/${release.stageCount})`),
            badge(release.awaitingApproval ? 'waiting for you' : release.status, release.awaitingApproval ? 'waiting' : release.status),
          ),
        ),
      ),
    );
  }

  function select(releaseId) {
    state.selected = releaseId;
    state.waitKey = '';
    refresh();
  }

  // ---- one release -------------------------------------------------------------------------------------------
  function renderDetail(view) {
    const detail = document.getElementById('detail');
    const sections = [
      el(
        'header',
        { class: 'release-head' },
        el('h1', { id: 'release-title' }, view.releaseId),
        badge(view.status),
        el('p', { class: 'sub' }, `${view.product} · ${view.previousVersion} → ${view.version} · started ${utc(view.createdAt)} · updated ${timeIn(view)(view.updatedAt)}${view.clock === 'simulated' ? ' (simulated time since the start)' : ''}`),
      ),
      state.notice && state.notice.releaseId === view.releaseId ? el('p', { id: 'notice', class: `answer ${state.notice.ok ? 'ok' : 'refused'}`, role: 'status' }, state.notice.text) : undefined,
      waitingSection(view),
      stagesSection(view),
      verdictsSection(view),
      decisionsSection(view),
      abortSection(view),
    ];
    // Keep what the operator is typing: the waiting box is rebuilt only when the wait itself changes.
    const keep = detail.querySelector('#waiting');
    const waitKey = view.waitingFor ? `${view.releaseId}/${view.waitingFor.kind}/${view.waitingFor.stageIndex}/${view.waitingFor.since}` : '';
    if (keep && waitKey && waitKey === state.waitKey) sections[2] = keep;
    state.waitKey = waitKey;
    const abortBox = detail.querySelector('#abort');
    if (abortBox && abortBox.dataset.open === 'true' && sections[6]) sections[6] = abortBox;
    detail.replaceChildren(...sections.filter(Boolean));
  }

  function waitingSection(view) {
    const wait = view.waitingFor;
    const time = timeIn(view);
    if (!wait) return undefined;
    if (wait.kind === 'bake') {
      return el('section', { id: 'waiting', class: 'waiting bake' }, el('h2', {}, `Baking stage ${wait.stageName}`), el('p', {}, `since ${time(wait.since)}, until ${time(wait.expiresAt)} at the latest`));
    }
    // The read-only and the answering view show the same question and evidence; they differ in what follows.
    const approvalSection = (heading, ...answering) =>
      el(
        'section',
        { id: 'waiting', class: 'waiting approval' },
        el('h2', {}, heading),
        el('p', {}, `asked ${time(wait.since)}; unanswered, it expires ${time(wait.expiresAt)} and the policy's default applies`),
        wait.evidence ? evidenceBlock(wait.evidence, stageCharts(view, wait.stageIndex)) : el('p', { class: 'muted' }, 'The stage policy asks for a person (manual approval).'),
        ...answering,
      );
    if (readOnly) {
      return approvalSection(
        `Stage ${wait.stageName} waits for an approval`,
        el('p', { id: 'answer-elsewhere', class: 'muted' }, `This view is read-only. Answer with the Approve / Reject links of the approval notice, or: ota-release approve ${view.releaseId} --wave ${wait.stageName}  /  ota-release reject ${view.releaseId} --wave ${wait.stageName} --reason "…"`),
      );
    }
    const note = el('textarea', { id: 'answer-comment', rows: 2, maxlength: 1000, placeholder: 'comment (required to reject: why?)' });
    const answer = el('p', { class: 'answer', 'aria-live': 'polite' });
    const send = async (kind) => {
      const comment = note.value.trim();
      if (kind === 'reject' && !comment) {
        answer.textContent = 'Say why you reject: the reason is recorded with the decision.';
        note.focus();
        return;
      }
      buttons.forEach((b) => (b.disabled = true));
      try {
        // Bound to the stage on screen: if the release moved on since, the API refuses it as stale and says so here.
        const body = kind === 'approve' ? { via: 'dashboard', stageIndex: wait.stageIndex, ...(comment && { comment }) } : { via: 'dashboard', stageIndex: wait.stageIndex, reason: comment };
        const result = await api(`/releases/${encodeURIComponent(view.releaseId)}/${kind}`, body);
        state.notice = { releaseId: view.releaseId, text: result.message, ok: result.answered };
      } catch (error) {
        state.notice = { releaseId: view.releaseId, text: error.message, ok: false };
      } finally {
        buttons.forEach((b) => (b.disabled = false));
        refresh();
      }
    };
    const buttons = [
      el('button', { id: 'approve', class: 'approve', type: 'button', onclick: () => send('approve') }, 'Approve'),
      el('button', { id: 'reject', class: 'reject', type: 'button', onclick: () => send('reject') }, 'Reject'),
    ];
    return approvalSection(`Stage ${wait.stageName} waits for your approval`, note, el('div', { class: 'buttons' }, buttons), answer);
  }

  function stagesSection(view) {
    return el(
      'section',
      { class: 'stages' },
      el('h2', {}, 'Stages'),
      el(
        'table',
        { id: 'stages' },
        el('thead', {}, el('tr', {}, ['#', 'stage', 'targets', 'state', 'progress', 'ok', 'failed', 'rejected', 'timed out', 'in progress', 'queued', 'verdict'].map((h) => el('th', {}, h)))),
        el(
          'tbody',
          {},
          view.stages.map((stage) => {
            const c = stage.counts;
            return el(
              'tr',
              { 'data-stage': stage.name, class: stage.index === view.stageIndex ? 'current' : undefined },
              el('td', {}, stage.index + 1),
              el('td', {}, stage.name, stage.approval === 'manual' ? el('span', { class: 'muted' }, ' (manual)') : ''),
              el('td', {}, stage.targets),
              el('td', {}, badge(stage.state)),
              el('td', {}, progressBar(stage)),
              // Counted as simulate, status and IoT Jobs count them: a device that refused the job is not one that failed it.
              ['succeeded', 'failed', 'rejected', 'timedOut', 'inProgress', 'queued'].map((key) => el('td', { class: 'num' }, c ? count(c[key]) : '')),
              el('td', {}, stage.latestVerdict ? badge(stage.latestVerdict.verdict) : ''),
            );
          }),
        ),
      ),
      view.rollbackJobs.length ? el('p', { class: 'rollback' }, `Rollback: ${view.rollbackJobs.map((j) => `${j.jobId}${j.jobStatus ? ` ${j.jobStatus}` : ''}${j.counts ? ` · ${count(j.counts.succeeded)} of ${count(j.counts.targeted)} back on ${view.previousVersion}` : ' (how it went is not known here)'}`).join('; ')}`) : undefined,
    );
  }

  function progressBar(stage) {
    const c = stage.counts;
    if (!c) return el('span', { class: 'muted' }, stage.state === 'pending' ? 'not started' : 'no counts');
    const total = Math.max(c.targeted, 1);
    const part = (n, kind) => (n > 0 ? el('span', { class: `bar-${kind}`, style: { width: `${((n / total) * 100).toFixed(2)}%` }, title: `${kind}: ${count(n)}` }) : undefined);
    return el(
      'div',
      { class: 'progress', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': Math.round(stage.progress * 100), title: `${Math.round(stage.progress * 100)} % of ${count(c.targeted)} executed` },
      el('div', { class: 'bar' }, part(c.succeeded, 'ok'), part(c.failed, 'failed'), part(c.rejected, 'rejected'), part(c.timedOut, 'timedout'), part(c.inProgress, 'running')),
      el('span', { class: 'progress-label' }, `${Math.round(stage.progress * 100)} % of ${count(c.targeted)}${stage.countsSource === 'live' ? '' : ' (last verdict)'}`),
    );
  }

  // The sequential test's two lines at this count of executions (as describeTestLines in src/domain/evidence.ts).
  function testLines(e) {
    const s = e.sequential;
    if (!s) return 'none on record';
    const promote = s.promoteAtFailures === null ? 'too few reports to promote' : `promotes at ≤ ${count(s.promoteAtFailures)}`;
    const rollback = s.rollbackAtFailures === null ? 'too few reports to roll back' : `rolls back at ≥ ${count(s.rollbackAtFailures)}`;
    const unit = s.promoteAtFailures === null && s.rollbackAtFailures === null ? '' : ' failures';
    return `${promote}, ${rollback}${unit} (${count(e.executed)} reported)`;
  }

  function svg(tag, attributes, ...children) {
    const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
    for (const [key, value] of Object.entries(attributes || {})) node.setAttribute(key, String(value));
    for (const child of children.flat(Infinity)) if (child) node.append(child);
    return node;
  }

  // The frame every stage chart shares (a 320 × 160 view box): the axes, a title for screen readers, the labels at the
  // ends of both axes, and scales from data (0..maxX, 0..maxY) to the box.
  const [W, H, PAD] = [320, 160, 28];
  const scales = (maxX, maxY) => [(v) => PAD + (v / maxX) * (W - PAD - 8), (v) => H - PAD - (v / maxY) * (H - PAD - 8)];
  function chartFrame(cls, label, xLabel, yLabel, marks) {
    const text = (attributes, value) => svg('text', { class: 'chart-label', ...attributes }, document.createTextNode(value));
    return svg(
      'svg',
      { class: cls, viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': label },
      svg('title', {}, document.createTextNode(label)),
      svg('line', { class: 'chart-axis', x1: PAD, y1: H - PAD, x2: W - 8, y2: H - PAD }),
      svg('line', { class: 'chart-axis', x1: PAD, y1: 8, x2: PAD, y2: H - PAD }),
      text({ x: W - 8, y: H - 8, 'text-anchor': 'end' }, xLabel),
      text({ x: 4, y: 16 }, yLabel),
      marks,
    );
  }

  // The sequential test drawn the way it decides: failures against reports, with its rollback line above and its
  // promotion line below (straight lines: ln Λ is linear in both counts), the acceptable rate dashed between them, and
  // the stage's path through its recorded verdicts. A stage is rolled back when the path reaches the upper line.
  function testChart(view, stageIndex) {
    const verdict = view.stages[stageIndex] && view.stages[stageIndex].latestVerdict;
    if (!verdict) return undefined;
    const [e, path] = [verdict.evidence, pathOf(view, stageIndex)];
    const s = e.sequential;
    if (!s || !(s.acceptableRate > 0) || !(s.unacceptableRate > s.acceptableRate)) return undefined;
    const a = Math.log(s.unacceptableRate / s.acceptableRate);
    const b = Math.log((1 - s.acceptableRate) / (1 - s.unacceptableRate));
    // The two lines have their own heights when health gates share the budget for wrong rollbacks (older records: one).
    const up = typeof s.rollbackThreshold === 'number' ? s.rollbackThreshold : Math.log(1 / s.errorBudget);
    const down = typeof s.promoteThreshold === 'number' ? -s.promoteThreshold : Math.log(1 / s.errorBudget);
    const rollbackAt = (n) => (up + n * b) / (a + b);
    const promoteAt = (n) => (n * b - down) / (a + b);
    const n = Math.max(e.counts.targeted, e.executed, 1);
    const top = Math.max(rollbackAt(n), ...path.map((p) => p.failures), 1) * 1.05;
    const [x, y] = scales(n, top);
    const line = (f, cls) => {
      const from = Math.max(0, cls === 'promote' ? down / b : 0);
      return from >= n ? undefined : svg('line', { class: `chart-${cls}`, x1: x(from), y1: y(Math.max(0, f(from))), x2: x(n), y2: y(Math.max(0, f(n))) });
    };
    const points = path.map((p) => `${x(p.executed).toFixed(1)},${y(p.failures).toFixed(1)}`).join(' ');
    const label = `failures against reports: rolls back above the upper line, may promote below the lower one; now ${count(e.failures)} of ${count(e.executed)}`;
    return chartFrame('test-chart', label, `${count(n)} reports`, `${Math.round(top)}`, [
      line(rollbackAt, 'rollback'),
      line((r) => r * s.acceptableRate, 'limit'),
      line(promoteAt, 'promote'),
      path.length > 1 ? svg('polyline', { class: 'chart-path', points }) : undefined,
      path.length > 0 ? svg('circle', { class: 'chart-now', cx: x(e.executed), cy: y(e.failures), r: 3.5 }) : undefined,
    ]);
  }

  /** The stage's recorded verdicts in order, as points (reports, failures) for its chart. */
  function pathOf(view, stageIndex) {
    return (view.decisions || [])
      .filter((d) => d.kind === 'verdict' && d.stageIndex === stageIndex && d.judgement && d.judgement.evidence)
      .map((d) => ({ executed: d.judgement.evidence.executed, failures: d.judgement.evidence.failures }));
  }

  // Time along a stage chart's x axis: seconds since the stage's job started, labelled as simulated time where it is.
  const sinceStart = (stage, at) => (Date.parse(at) - Date.parse(stage.createdAt)) / 1000;
  const spanLabel = (view, span) => (view.clock === 'simulated' ? `${duration(span)} (simulated)` : duration(span));

  // Counts over the stage's life: none executed when its job was made, the counts each recorded verdict was given on,
  // and the live counts this page has read since it opened; succeeded, failed, rejected, timed out and in progress
  // against time since the job started.
  const SERIES = [['succeeded', 'ok', 'succeeded'], ['failed', 'failed', 'failed'], ['rejected', 'rejected', 'rejected'], ['timedOut', 'timedout', 'timed out'], ['inProgress', 'running', 'in progress']];
  function countsChart(view, stageIndex) {
    const stage = view.stages[stageIndex];
    if (!stage || !stage.createdAt) return undefined;
    const points = new Map([[stage.createdAt, { succeeded: 0, failed: 0, rejected: 0, timedOut: 0, inProgress: 0 }]]);
    for (const d of view.decisions || []) if (d.kind === 'verdict' && d.stageIndex === stageIndex && d.judgement && d.judgement.evidence) points.set(d.at, d.judgement.evidence.counts);
    for (const [at, counts] of readings.get(`${view.releaseId}/${stageIndex}`) || []) points.set(at, counts);
    const series = [...points].map(([at, counts]) => ({ t: sinceStart(stage, at), counts })).filter((p) => p.t >= 0).sort((a, b) => a.t - b.t);
    const span = series.length > 1 ? series[series.length - 1].t : 0;
    if (!(span > 0)) return undefined;
    const targeted = Math.max((stage.counts && stage.counts.targeted) || 0, ...series.map((p) => SERIES.reduce((sum, [key]) => sum + (p.counts[key] || 0), 0)), 1);
    const [x, y] = scales(span, targeted);
    const now = series[series.length - 1].counts;
    const label = `devices against time since the job started: ${SERIES.map(([key, , name]) => `${name} ${count(now[key] || 0)}`).join(', ')} of ${count(targeted)}`;
    return chartFrame(
      'counts-chart',
      label,
      spanLabel(view, span),
      count(targeted),
      SERIES.map(([key, kind]) => svg('polyline', { class: `series series-${kind}`, 'data-series': key, points: series.map((p) => `${x(p.t).toFixed(1)},${y(p.counts[key] || 0).toFixed(1)}`).join(' ') })),
    );
  }

  // A rate gate over the stage's looks: events per device-hour on the new version (with the band its ratio's interval
  // gives at each look) and on the previous version (the concurrent control), and the limit (maxRatio × the control's
  // rate), against time since the job started. One chart per rate gate; the gate's status at the latest look is in
  // the label.
  function gateCharts(view, stageIndex) {
    const stage = view.stages[stageIndex];
    if (!stage || !stage.createdAt) return undefined;
    const looks = (view.decisions || []).filter((d) => d.kind === 'verdict' && d.stageIndex === stageIndex && d.judgement && Array.isArray(d.judgement.gates));
    const names = [...new Set(looks.flatMap((d) => d.judgement.gates.filter((g) => g.evidence && g.evidence.kind === 'rate').map((g) => g.name)))];
    return names.map((name) => {
      const points = looks
        .map((d) => ({ t: sinceStart(stage, d.at), gate: d.judgement.gates.find((g) => g.name === name) }))
        .filter((p) => p.t >= 0 && p.gate && p.gate.evidence.treatment.exposureHours > 0 && p.gate.evidence.control.exposureHours > 0)
        .map((p) => {
          const e = p.gate.evidence;
          const control = e.control.perDeviceHour;
          const band = e.ratioBand && Number.isFinite(e.ratioBand[1]) ? e.ratioBand.map((r) => r * control) : undefined;
          return { t: p.t, status: p.gate.status, treatment: e.treatment.perDeviceHour, control, limit: e.maxRatio * control, band, metric: e.metric };
        });
      if (points.length === 0) return undefined;
      const span = Math.max(points[points.length - 1].t, 1);
      const top = Math.max(...points.flatMap((p) => [p.treatment, p.control, p.limit, p.band ? p.band[1] : 0]), 1e-9) * 1.1;
      const [x, y] = scales(span, top);
      const poly = (cls, value) => svg('polyline', { class: cls, points: points.map((p) => `${x(p.t).toFixed(1)},${y(value(p)).toFixed(1)}`).join(' ') });
      const banded = points.filter((p) => p.band);
      const band = banded.length > 1
        ? svg('polygon', { class: 'gate-band', points: [...banded.map((p) => `${x(p.t).toFixed(1)},${y(p.band[1]).toFixed(1)}`), ...[...banded].reverse().map((p) => `${x(p.t).toFixed(1)},${y(p.band[0]).toFixed(1)}`)].join(' ') })
        : undefined;
      const latest = points[points.length - 1];
      const label = `${name} ${latest.status}: ${latest.metric} per device-hour, new version ${latest.treatment.toFixed(3)} against ${latest.control.toFixed(3)} on the previous one (limit ${latest.limit.toFixed(3)})`;
      const chart = chartFrame('gate-chart', label, spanLabel(view, span), `${top.toFixed(2)}/h`, [
        band,
        poly('chart-limit', (p) => p.limit),
        poly('series series-control', (p) => p.control),
        poly('series series-treatment', (p) => p.treatment),
        // Every look also as marks, so a stage judged once still shows where it stood: the band as a bar, the limit
        // as a tick, the control as a square, the new version as a dot coloured by the gate's status.
        ...points.map((p) => (p.band ? svg('line', { class: 'gate-band-bar', x1: x(p.t), y1: y(p.band[0]), x2: x(p.t), y2: y(p.band[1]) }) : undefined)),
        ...points.map((p) => svg('line', { class: 'chart-limit gate-limit-tick', x1: x(p.t) - 6, y1: y(p.limit), x2: x(p.t) + 6, y2: y(p.limit) })),
        ...points.map((p) => svg('rect', { class: 'gate-control', x: x(p.t) - 2.5, y: y(p.control) - 2.5, width: 5, height: 5 })),
        ...points.map((p) => svg('circle', { class: `gate-look gate-${p.status.toLowerCase()}`, cx: x(p.t), cy: y(p.treatment), r: 3 })),
      ]);
      chart.setAttribute('data-gate', name);
      return chart;
    });
  }

  // The charts each stage shows, in order; one returns undefined (or a list) when it has nothing (or several) to draw.
  const STAGE_CHARTS = [countsChart, testChart, gateCharts];
  function stageCharts(view, stageIndex) {
    const charts = STAGE_CHARTS.flatMap((chart) => [chart(view, stageIndex)].flat()).filter(Boolean);
    if (charts.length === 0) return undefined;
    const legend = el('p', { class: 'legend' }, SERIES.map(([, kind, name]) => el('span', { class: `key key-${kind}` }, name)));
    return el('div', { class: 'charts', 'data-stage-index': stageIndex }, charts, charts.some((c) => c.classList.contains('counts-chart')) ? legend : undefined);
  }

  // `settled`: a stage already promoted or rolled back, whose figures fold into one line (open it for all of them), so
  // the evidence of every past stage does not repeat down the page; its charts and the judge's reasons stay in view.
  function evidenceBlock(verdict, charts, settled = false) {
    const e = verdict.evidence;
    const facts = [
      ['verdict', verdict.verdict],
      ['failure rate', `${pct(e.failureRate)} (${count(e.failures)} of ${count(e.executed)})`],
      ['limits', `acceptable ${limit(e.maxFailureRate)}, unacceptable ${limit(e.unacceptableFailureRate)}, ${limit(e.confidence)} over every look`],
      ['test lines', testLines(e)],
      ['executed', `${count(e.executed)} of ${count(e.counts.targeted)} (${pct(e.coverage, 0)})`],
      ['failures', count(e.failures)],
      ['timeout rate', pct(e.timeoutRate)],
      ['baked', duration(e.bakedSeconds)],
      ...(verdict.gates || []).map((gate) => [`gate ${gate.name}`, `${gate.status}: ${gate.reason}`]),
    ];
    const dl = el('dl', {}, facts.map(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
    return el(
      'div',
      { class: 'evidence' },
      settled ? el('details', {}, el('summary', {}, `failure rate ${facts[1][1]} · executed ${facts[4][1]} · baked ${facts[7][1]}`), dl) : dl,
      charts,
      el('ul', { class: 'reasons' }, verdict.reasons.map((r) => el('li', {}, r))),
    );
  }

  function verdictsSection(view) {
    // The stage that waits for an approval shows its evidence in the waiting box already.
    const above = view.waitingFor && view.waitingFor.kind === 'approval' && view.waitingFor.evidence ? view.waitingFor.stageIndex : -1;
    // Stages with a verdict, and the running one before its first verdict (its counts chart fills in meanwhile).
    const shown = view.stages.filter((s) => s.index !== above && (s.latestVerdict || (s.state === 'active' && s.counts)));
    if (shown.length === 0) return undefined;
    const time = timeIn(view);
    return el(
      'section',
      { class: 'verdicts', id: 'verdicts' },
      el('h2', {}, 'Verdicts and evidence'),
      shown.map((s) =>
        el(
          'article',
          { class: 'verdict', 'data-stage': s.name },
          el('h3', {}, s.latestVerdict ? `${s.name} · ${time(s.latestVerdict.at)} → ${s.latestVerdict.route}` : `${s.name} · no verdict yet`),
          s.latestVerdict ? evidenceBlock(s.latestVerdict, stageCharts(view, s.index), s.state !== 'active') : stageCharts(view, s.index),
        ),
      ),
    );
  }

  function describeDecision(d, time) {
    if (d.kind === 'verdict') return [badge(d.judgement.verdict), ` → ${d.route}: ${d.judgement.reasons[0] || ''}`];
    if (d.kind === 'approval') return [badge(d.answer), ` by ${d.by} via ${d.via}${d.comment ? `: “${d.comment}”` : ''}${d.evidenceAt ? ` (saw the verdict of ${time(d.evidenceAt)})` : ''}`];
    return [badge(d.action), ` ${d.reason}`];
  }

  function decisionsSection(view) {
    const time = timeIn(view);
    return el(
      'section',
      { class: 'decisions' },
      el('h2', {}, 'Decision history'),
      view.decisions.length === 0
        ? el('p', { class: 'muted' }, 'No decisions yet.')
        : el(
            'table',
            { id: 'decisions' },
            el('thead', {}, el('tr', {}, ['when', 'stage', 'kind', 'what'].map((h) => el('th', {}, h)))),
            el('tbody', {}, view.decisions.map((d) => el('tr', { 'data-kind': d.kind }, el('td', {}, time(d.at)), el('td', {}, d.stageName), el('td', {}, d.kind), el('td', {}, describeDecision(d, time))))),
          ),
    );
  }

  function abortSection(view) {
    if (readOnly || ['PROMOTED', 'ROLLED_BACK', 'ABORTED', 'FAILED', 'ROLLING_BACK'].includes(view.status)) return undefined;
    const box = el('section', { id: 'abort', class: 'abort' });
    const reason = el('input', { id: 'abort-reason', type: 'text', maxlength: 1000, placeholder: 'why stop this release?' });
    const result = el('p', { class: 'answer', 'aria-live': 'polite' });
    const confirm = el('button', {
      type: 'button',
      class: 'reject',
      onclick: async () => {
        if (!reason.value.trim()) return void (result.textContent = 'Say why: the reason is recorded.');
        try {
          const answer = await api(`/releases/${encodeURIComponent(view.releaseId)}/abort`, { reason: reason.value.trim() });
          state.notice = { releaseId: view.releaseId, text: answer.message, ok: answer.outcome === 'aborted' };
          box.dataset.open = 'false';
        } catch (error) {
          result.textContent = error.message;
        }
        refresh();
      },
    }, 'Abort release');
    const open = el('button', { type: 'button', class: 'secondary', onclick: () => { box.dataset.open = 'true'; box.replaceChildren(el('h2', {}, 'Abort'), el('p', { class: 'muted' }, 'Stops the workflow and cancels queued executions; devices that updated keep the new version.'), reason, confirm, result); reason.focus(); } }, 'Abort…');
    box.append(open);
    return box;
  }

  /** Keeps the view's live counts (by the time they were read) for the counts chart; returns the view. */
  function remember(view) {
    for (const stage of view.stages) {
      if (!stage.countsAt || !stage.counts) continue;
      const key = `${view.releaseId}/${stage.index}`;
      const seen = readings.get(key) || new Map();
      seen.set(stage.countsAt, stage.counts);
      // A page left open for days keeps the latest readings only: the chart's shape, not an archive.
      if (seen.size > 500) seen.delete(seen.keys().next().value);
      readings.set(key, seen);
    }
    return view;
  }

  // ---- the refresh loop --------------------------------------------------------------------------------------
  let timer;
  async function refresh() {
    clearTimeout(timer);
    try {
      const list = await api('/releases');
      renderList(list);
      if (state.selected) renderDetail(remember(await api(`/releases/${encodeURIComponent(state.selected)}`)));
      document.getElementById('refreshed').textContent = `updated ${new Date().toLocaleTimeString()}`;
      showProblem('');
    } catch (error) {
      // 403: the token was refused (a view link that expired, say); its message says what to do.
      showProblem(error.status === 404 ? `No release named ${state.selected}.` : error.status === 403 ? error.message : `Cannot reach the release store: ${error.message}`);
    } finally {
      timer = setTimeout(refresh, refreshMs);
    }
  }
  window.addEventListener('hashchange', () => {
    const id = decodeURIComponent((location.hash.match(/release=([^&]+)/) || [])[1] || '');
    if (id && id !== state.selected) select(id);
  });
  refresh();
})();
