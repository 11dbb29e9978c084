// GovHub operator console: one page over the admin API (the same calls a program makes, with the
// browser's session and its CSRF token). Plain DOM, no build step: the hub serves it as it is.
// Every value from the API goes in with textContent, never as HTML.
'use strict';

const LABELS = {
  en: {
    title: 'GovHub operator console', batches: 'Batches', quarantine: 'Quarantine', sources: 'Sources',
    sharing: 'Subscriptions & requests', reports: 'Weekly reports', logout: 'Log out', language: '中文',
    state: 'State', priorityClass: 'Class', schema: 'Schema', records: 'Records', sealedAt: 'Sealed',
    acknowledgedAt: 'Acknowledged', receipt: 'Receipt', attempts: 'Attempts', lastError: 'Last error',
    filter: 'Filter', any: 'any', batch: 'Batch', manifest: 'Manifest', history: 'History', from: 'From', to: 'To',
    at: 'At', reason: 'Reason', resend: 'Re-send', source: 'Source', key: 'Key', reasons: 'Reasons',
    quarantinedAt: 'Quarantined', rawMasked: 'Row as received (personal data masked)', correction: 'Correction (the row as it should be)',
    saveCorrection: 'Save correction', replay: 'Replay', replayed: 'Replayed: the record is on its way',
    stillInvalid: 'Still invalid', acceptIdentifier: 'Accept a non-standard credit code', code: 'Code', accept: 'Accept',
    trail: 'Trail', recordTrail: 'Where this record went', versions: 'Versions batched', provenance: 'Provenance',
    status: 'Status', mark: 'Mark', lastSuccess: 'Last success', counts: 'Published / repeats / quarantined',
    pause: 'Pause', resume: 'Resume', rewind: 'Rewind mark to', paused: 'Paused', routes: 'Routes (Hawtio)',
    pending: 'Pending requests', allRequests: 'All requests', department: 'Department', resource: 'Resource',
    purpose: 'Purpose', dueOn: 'Due', overdue: 'OVERDUE', approve: 'Approve', refuse: 'Refuse',
    subscriptions: 'Subscriptions', channel: 'Channel', backlog: 'Backlog (records)', deadLetters: 'Dead letters',
    nextDue: 'Next report due', week: 'Week', revision: 'Revision', generatedAt: 'Generated', filings: 'Filings',
    deliveries: 'Deliveries', files: 'Files', target: 'Target', none: 'none', done: 'Done', readOnly: 'read-only',
    detail: 'Detail', actions: 'Actions', open: 'Open', whyRequired: 'Say why (kept with the change)', fields: 'Fields',
    deploy: 'Deploy a source', sourceId: 'Source id', deployIntro: 'Upload a source\'s route file, mapping file and settings as a version, '
      + 'test its connection, preview its rows, then activate it; every version is kept, going back is one step.',
    runningSources: 'Sources running now', notRunning: 'not running', activeVersion: 'Active version', runningHere: 'Running on this node',
    version: 'Version', routeFile: 'Route file', mapping: 'Mapping', by: 'By', active: 'active', action: 'Action',
    deployVersions: 'Versions', deployHistory: 'Activations, roll backs and removals', noVersions: 'No version yet',
    upload: 'Upload a new version', routeFileName: 'Route file name (routes/…)', routeText: 'Route file',
    mappingText: 'Mapping file', settingsText: 'Settings: one key=value a line (url, username, password, …; ${VARIABLE} for a secret)',
    loadFile: 'or load a file', uploadButton: 'Upload', refused: 'Refused, nothing was kept', kept: 'Kept as version',
    settingsLine: 'Settings line', testConnection: 'Test connection', preview: 'Preview', activate: 'Activate', rollback: 'Roll back',
    rollbackTo: 'To version (empty: the one before)', remove: 'Remove', theSource: 'Roll back or remove the source', step: 'Step', ok: 'ok', failed: 'failed',
    connectionOk: 'Connection test passed', connectionFailed: 'Connection test failed', rows: 'Rows', fromStart: 'the start',
    fromMark: 'the source\'s mark', ftpFile: 'FTP file (optional)', row: 'Row', outcome: 'Outcome', record: 'Record (personal data masked)',
    valid: 'valid', settings: 'Settings (secrets hidden)',
  },
  zh: {
    title: 'GovHub 运营控制台', batches: '批次', quarantine: '隔离区', sources: '数据源',
    sharing: '订阅与共享申请', reports: '复工复产周报', logout: '退出', language: 'English',
    state: '状态', priorityClass: '优先级', schema: '共享模式', records: '记录数', sealedAt: '封批时间',
    acknowledgedAt: '回执时间', receipt: '回执', attempts: '尝试次数', lastError: '最近错误',
    filter: '筛选', any: '全部', batch: '批次', manifest: '清单', history: '历史', from: '从', to: '到',
    at: '时间', reason: '原因', resend: '重新发送', source: '数据源', key: '主键', reasons: '原因',
    quarantinedAt: '隔离时间', rawMasked: '原始数据（个人信息已脱敏）', correction: '更正（应有的原始行）',
    saveCorrection: '保存更正', replay: '重放', replayed: '已重放：记录已进入共享流程',
    stillInvalid: '仍不合格', acceptIdentifier: '认可非标准统一社会信用代码', code: '代码', accept: '认可',
    trail: '去向', recordTrail: '记录去向', versions: '已入批版本', provenance: '来源',
    status: '健康', mark: '增量标记', lastSuccess: '最近成功', counts: '发布 / 重复 / 隔离',
    pause: '暂停', resume: '恢复', rewind: '标记回退到', paused: '已暂停', routes: '路由（Hawtio）',
    pending: '待审批申请', allRequests: '全部申请', department: '部门', resource: '资源',
    purpose: '用途', dueOn: '答复期限', overdue: '已逾期', approve: '批准', refuse: '拒绝',
    subscriptions: '订阅', channel: '渠道', backlog: '积压（条）', deadLetters: '死信',
    nextDue: '下一期周报', week: '周', revision: '版本', generatedAt: '生成时间', filings: '填报数',
    deliveries: '报送', files: '文件', target: '报送对象', none: '无', done: '完成', readOnly: '只读',
    detail: '详情', actions: '操作', open: '打开', whyRequired: '请说明原因（随变更保存）', fields: '字段',
    deploy: '部署数据源', sourceId: '数据源标识', deployIntro: '将数据源的路由文件、映射文件和连接设置上传为一个版本，'
      + '测试连接、预览数据后再启用；每个版本都会保留，回退只需一步。',
    runningSources: '正在运行的数据源', notRunning: '未运行', activeVersion: '生效版本', runningHere: '本节点运行版本',
    version: '版本号', routeFile: '路由文件', mapping: '映射', by: '操作人', active: '生效中', action: '动作',
    deployVersions: '版本', deployHistory: '启用、回滚与移除记录', noVersions: '尚无版本',
    upload: '上传新版本', routeFileName: '路由文件名（routes/…）', routeText: '路由文件',
    mappingText: '映射文件', settingsText: '连接设置：每行一个 key=value（url、username、password 等；密钥请用 ${变量}）',
    loadFile: '或从文件读取', uploadButton: '上传', refused: '未通过检查，未保存任何内容', kept: '已保存为版本',
    settingsLine: '连接设置行', testConnection: '测试连接', preview: '预览', activate: '启用', rollback: '回滚',
    rollbackTo: '回滚到版本（留空：上一个版本）', remove: '移除', theSource: '回滚或移除数据源', step: '步骤', ok: '通过', failed: '失败',
    connectionOk: '连接测试通过', connectionFailed: '连接测试未通过', rows: '行数', fromStart: '从头',
    fromMark: '从增量标记', ftpFile: 'FTP 文件（可选）', row: '行', outcome: '结果', record: '记录（个人信息已脱敏）',
    valid: '合格', settings: '连接设置（密钥已隐藏）',
  },
};
let lang = localStorage.getItem('govhub.lang') || (navigator.language.startsWith('zh') ? 'zh' : 'en');
const t = key => LABELS[lang][key] || LABELS.en[key] || key;
let me = { user: '', roles: [] };
const canOperate = () => me.roles.includes('admin') || me.roles.includes('operator');
// integrators deploy sources; they read only the sources, their quarantine and a record's trail (AccessRules)
const canDeploy = () => me.roles.includes('admin') || me.roles.includes('integrator');
const canRead = () => ['admin', 'operator', 'viewer'].some(r => me.roles.includes(r));

// ---- DOM and API helpers ----

/** An element: h('td', {class: 'x'}, 'text', child...); strings become text nodes. */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
    else el.setAttribute(name, value === true ? '' : value);
  }
  for (const c of children.flat()) {
    if (c !== null && c !== undefined) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}
const when = v => (v ? String(v).replace('T', ' ').replace(/\.\d+/, '').replace(/\+00:00$|Z$/, ' UTC') : '');
const field = (row, name) => row[name] !== undefined ? row[name] : row[name.toUpperCase()];

function csrfToken() {
  const m = document.cookie.match(/(?:^|; )XSRF-TOKEN=([^;]+)/);
  return m ? decodeURIComponent(m[1]) : '';
}

async function api(method, path, body) {
  const response = await fetch(path, {
    method, credentials: 'same-origin',
    headers: { 'Accept': 'application/json', 'Content-Type': 'application/json', 'X-XSRF-TOKEN': csrfToken() },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401) { location.href = '/login'; throw new Error('not logged in'); }
  const text = await response.text();
  const json = text ? JSON.parse(text) : {};
  if (!response.ok && response.status !== 422) throw new Error(json.message || json.error || response.status + ' ' + path);
  return json;
}

function say(text, isError) {
  const m = document.getElementById('message');
  m.textContent = text;
  m.className = isError ? 'error' : '';
  m.hidden = !text;
}

/** Runs an action, says how it went, and shows the view again. */
async function act(what, run) {
  try {
    const result = await run();
    say(what + ': ' + t('done'));
    await show();
    return result;
  } catch (e) {
    say(what + ': ' + e.message, true);
    return null;
  }
}

/** A small form: the inputs, then a button that runs submit(values). */
function inlineForm(id, inputs, label, submit) {
  const form = h('form', { class: 'inline', id });
  for (const i of inputs) {
    form.append(h('label', {}, i.label, i.options
      ? h('select', { name: i.name }, i.options.map(([value, text]) => h('option', { value }, text)))
      : h('input', { name: i.name, type: i.type || 'text', required: i.required, size: i.size || 24, value: i.value })));
  }
  form.append(h('button', { type: 'submit' }, label));
  form.addEventListener('submit', e => {
    e.preventDefault();
    submit(Object.fromEntries(new FormData(form)));
  });
  return form;
}

function table(headers, rows) {
  return h('table', {}, h('thead', {}, h('tr', {}, headers.map(x => h('th', {}, x)))), h('tbody', {}, rows));
}

// ---- views ----

const VIEWS = {
  async batches(params) {
    const query = new URLSearchParams({ limit: 200 });
    for (const k of ['status', 'class', 'schema']) if (params.get(k)) query.set(k, params.get(k));
    const data = await api('GET', '/api/admin/batches?' + query);
    const filters = h('form', { class: 'filters', id: 'batch-filter' },
      h('label', {}, t('state'), h('select', { name: 'status' }, ['', 'OPEN', 'SEALED', 'SENDING', 'RETRYING', 'FAILED', 'DEAD', 'ACKNOWLEDGED']
        .map(s => h('option', { value: s, selected: params.get('status') === s }, s || t('any'))))),
      h('label', {}, t('priorityClass'), h('select', { name: 'class' }, ['', '1', '2', '3', '4']
        .map(c => h('option', { value: c, selected: params.get('class') === c }, c || t('any'))))),
      h('label', {}, t('schema'), h('input', { name: 'schema', value: params.get('schema') || '' })),
      h('button', {}, t('filter')));
    filters.addEventListener('submit', e => {
      e.preventDefault();
      location.hash = '#/batches?' + new URLSearchParams([...new FormData(filters)].filter(([, v]) => v));
    });
    const counts = h('p', { class: 'muted' }, Object.entries(data.counts).map(([s, n]) => s + ' ' + n).join(' · '));
    return [h('h2', {}, t('batches')), counts, filters, table(
      [t('batch'), t('schema'), t('priorityClass'), t('state'), t('records'), t('sealedAt'), t('acknowledgedAt'), t('receipt'), t('attempts'), t('lastError')],
      data.batches.map(b => h('tr', { class: 'state-' + b.status, 'data-batch': b.batch_id },
        h('td', {}, h('a', { href: '#/batches/' + encodeURIComponent(b.batch_id) }, b.batch_id.slice(0, 8))),
        h('td', {}, b.schema_name), h('td', {}, h('span', { class: 'badge class-' + b.priority_class }, b.priority_class)),
        h('td', {}, b.status), h('td', {}, b.record_count), h('td', {}, when(b.sealed_at)),
        h('td', {}, when(b.acknowledged_at)), h('td', {}, b.receipt_id || ''), h('td', {}, b.attempts), h('td', {}, b.last_error || ''))))];
  },

  async batch(params, id) {
    const b = await api('GET', '/api/admin/batches/' + encodeURIComponent(id));
    const out = [h('h2', {}, t('batch') + ' ' + b.batch_id),
      h('p', {}, `${b.schema_name} ${b.schema_version} · ${t('priorityClass')} ${b.priority_class} · ${t('state')} `,
        h('strong', { id: 'batch-state' }, b.status), ` · ${t('records')} ${b.record_count} · ${t('receipt')} ${b.receipt_id || '—'}`)];
    if (b.status === 'DEAD' && canOperate()) {
      out.push(h('button', { id: 'resend', onclick: () => act(t('resend'), () => api('POST', `/api/admin/batches/${encodeURIComponent(id)}/resend`)) }, t('resend')));
    }
    out.push(h('h3', {}, t('manifest')), h('pre', {}, JSON.stringify(b.manifest, null, 2)),
      h('h3', {}, t('history')), table([t('from'), t('to'), t('at'), t('reason')],
        b.history.map(x => h('tr', {}, h('td', {}, field(x, 'from_status') || ''), h('td', {}, field(x, 'to_status')),
          h('td', {}, when(field(x, 'at'))), h('td', {}, field(x, 'reason'))))));
    return out;
  },

  async quarantine(params) {
    const query = new URLSearchParams({ limit: 200 });
    for (const k of ['source', 'status', 'reason']) if (params.get(k)) query.set(k, params.get(k));
    const data = await api('GET', '/api/admin/quarantine?' + query);
    const filters = h('form', { class: 'filters', id: 'quarantine-filter' },
      h('label', {}, t('source'), h('input', { name: 'source', value: params.get('source') || '' })),
      h('label', {}, t('state'), h('select', { name: 'status' }, ['', 'OPEN', 'REPLAYED']
        .map(s => h('option', { value: s, selected: params.get('status') === s }, s || t('any'))))),
      h('label', {}, t('reason'), h('input', { name: 'reason', value: params.get('reason') || '' })),
      h('button', {}, t('filter')));
    filters.addEventListener('submit', e => {
      e.preventDefault();
      location.hash = '#/quarantine?' + new URLSearchParams([...new FormData(filters)].filter(([, v]) => v));
    });
    const out = [h('h2', {}, `${t('quarantine')} (${data.total})`), filters, table(
      ['#', t('source'), t('key'), t('reasons'), t('state'), t('quarantinedAt')],
      data.records.map(r => h('tr', { 'data-quarantine': r.id },
        h('td', {}, h('a', { href: '#/quarantine/' + r.id }, r.id)), h('td', {}, r.source_id), h('td', {}, r.source_record_key),
        h('td', {}, (r.reasons || []).join('; ')), h('td', {}, r.status), h('td', {}, when(r.quarantined_at)))))];
    if (canOperate()) {
      out.push(h('h3', {}, t('acceptIdentifier')), inlineForm('accept-identifier',
        [{ name: 'code', label: t('code'), required: true, size: 20 }, { name: 'reason', label: t('whyRequired'), required: true, size: 40 }],
        t('accept'), v => act(t('acceptIdentifier'), () => api('POST', '/api/admin/accepted-identifiers', { standard: 'GB32100', code: v.code, reason: v.reason }))));
    }
    return out;
  },

  async quarantined(params, id) {
    const r = await api('GET', `/api/admin/quarantine/${id}?masked=true`);
    const out = [h('h2', {}, `${t('quarantine')} #${r.id}`),
      h('p', {}, `${r.source_id} · ${t('key')} ${r.source_record_key} · ${t('state')} `, h('strong', { id: 'quarantine-state' }, r.status),
        ' · ', h('a', { href: `#/record?source=${encodeURIComponent(r.source_id)}&key=${encodeURIComponent(r.source_record_key)}`, id: 'trail-link' }, t('trail'))),
      h('h3', {}, t('reasons')), h('ul', { id: 'reasons' }, (r.reasons || []).map(x => h('li', {}, x))),
      h('h3', {}, t('rawMasked')), h('pre', {}, JSON.stringify(r.raw_payload, null, 2))];
    if (canOperate() && r.status === 'OPEN') {
      // the correction starts from the row as received, unmasked: the operator fixes what the reasons name
      const raw = await api('GET', `/api/admin/quarantine/${id}`);
      const editor = h('textarea', { id: 'correction' });
      editor.value = JSON.stringify(raw.corrected_payload || raw.raw_payload, null, 2);
      out.push(h('h3', {}, t('correction')), editor,
        h('p', {}, h('button', { id: 'save-correction', onclick: () => {
          let row;
          try { row = JSON.parse(editor.value); } catch (e) { say(t('correction') + ': ' + e.message, true); return; }
          act(t('saveCorrection'), () => api('PUT', `/api/admin/quarantine/${id}/correction`, row));
        } }, t('saveCorrection')), ' ',
        h('button', { id: 'replay', onclick: async () => {
          try {
            const outcome = await api('POST', `/api/admin/quarantine/${id}/replay`);
            await show();
            say(outcome.replayed ? t('replayed') : t('stillInvalid') + ': ' + (outcome.reasons || []).join('; '), !outcome.replayed);
          } catch (e) { say(t('replay') + ': ' + e.message, true); }
        } }, t('replay'))));
    }
    return out;
  },

  async record(params) {
    const source = params.get('source'), key = params.get('key');
    const r = await api('GET', `/api/admin/records?source=${encodeURIComponent(source)}&key=${encodeURIComponent(key)}`);
    return [h('h2', {}, `${t('recordTrail')}: ${source} / ${key}`),
      h('h3', {}, t('versions')), table([t('provenance'), t('batch'), t('state'), t('receipt'), t('acknowledgedAt')],
        r.versions.map(v => h('tr', { class: 'state-' + v.batch.status, 'data-version': v.contentHash },
          h('td', {}, `${v.provenance ? v.provenance.mappingVersion + ' · ' + when(v.provenance.ingestedAt) : ''}`),
          h('td', {}, canRead() ? h('a', { href: '#/batches/' + encodeURIComponent(v.batch.batchId) }, v.batch.batchId.slice(0, 8))
            : v.batch.batchId.slice(0, 8), ' #' + v.batch.seq),
          h('td', { class: 'batch-state' }, v.batch.status), h('td', { class: 'receipt' }, v.batch.receiptId || ''),
          h('td', {}, when(v.batch.acknowledgedAt))))),
      h('h3', {}, t('quarantine')), table(['#', t('state'), t('reasons'), t('quarantinedAt')],
        r.quarantine.map(q => h('tr', {}, h('td', {}, h('a', { href: '#/quarantine/' + q.id }, q.id)), h('td', {}, q.status),
          h('td', {}, (q.reasons || []).join('; ')), h('td', {}, when(q.quarantinedAt)))))];
  },

  async sources() {
    const sources = await api('GET', '/api/admin/sources');
    return [h('h2', {}, t('sources')), h('p', {}, h('a', { href: '#/deploy', id: 'deploy-link' }, t('deploy'))), table(
      [t('source'), t('status'), t('state'), t('reason'), t('counts'), t('lastSuccess'), t('mark'), t('routes'), t('deployVersions'),
        canOperate() ? t('actions') : null]
        .filter(Boolean),
      sources.map(s => {
        const d = s.details || {};
        const mark = s.mark ? (s.mark.updatedAt || s.mark.kind || '') : (d.mark || '');
        const row = h('tr', { class: 'state-' + (d.state || s.status), 'data-source': s.id },
          h('td', {}, s.id), h('td', { class: 'status' }, s.status), h('td', { class: 'state' }, d.state || ''),
          h('td', {}, d.reason || ''), h('td', {}, `${d.published || 0} / ${d.repeats || 0} / ${d.quarantined || 0}`),
          h('td', {}, when(d.lastSuccess)), h('td', {}, String(mark)),
          // Hawtio is for the operator-side roles (hawtio.roles), not integrators
          h('td', {}, (s.routes || []).map(r => canRead() ? h('a', { href: '/actuator/hawtio/camel/routes', title: r, target: '_blank' }, r + ' ') : r + ' ')),
          h('td', {}, h('a', { href: '#/deploy/' + encodeURIComponent(s.id), class: 'versions' }, t('deployVersions'))));
        if (canOperate()) {
          const cell = h('td', {});
          if (s.paused) {
            cell.append(inlineForm('resume-' + s.id, [{ name: 'reason', label: t('whyRequired'), required: true }], t('resume'),
              v => act(t('resume') + ' ' + s.id, () => api('POST', `/api/admin/sources/${encodeURIComponent(s.id)}/resume`, v))));
          } else {
            cell.append(inlineForm('pause-' + s.id, [{ name: 'reason', label: t('whyRequired'), required: true }], t('pause'),
              v => act(t('pause') + ' ' + s.id, () => api('POST', `/api/admin/sources/${encodeURIComponent(s.id)}/pause`, v))));
          }
          if (s.mark && s.mark.kind === 'REST cursor') {
            cell.append(inlineForm('rewind-' + s.id, [{ name: 'to', label: t('rewind') + ' (2020-04-01T00:00:00+08:00)', required: true },
              { name: 'reason', label: t('whyRequired'), required: true }], t('rewind'),
              v => act(t('rewind') + ' ' + s.id, () => api('POST', `/api/admin/sources/${encodeURIComponent(s.id)}/mark/rewind`, v))));
          }
          row.append(cell);
        }
        return row;
      }))];
  },

  async sharing() {
    const [pending, all, subs] = await Promise.all([api('GET', '/api/admin/share/requests?status=PENDING'),
      api('GET', '/api/admin/share/requests'), api('GET', '/api/admin/share/subscriptions')]);
    const requestRow = (r, withActions) => h('tr', { 'data-request': r.request, class: r.overdue ? 'state-DEAD' : '' },
      h('td', {}, r.request), h('td', {}, r.department), h('td', {}, r.resource), h('td', {}, r.purpose),
      h('td', {}, (r.terms.fields || []).join(', ')), h('td', {}, r.status),
      h('td', { title: r.dueBasis || '' }, r.dueOn || '', r.overdue ? h('strong', {}, ' ' + t('overdue')) : null),
      withActions && canOperate() ? h('td', {},
        h('button', { class: 'approve', onclick: () => act(t('approve') + ' #' + r.request, () => api('POST', `/api/admin/share/requests/${r.request}/approve`)) }, t('approve')),
        inlineForm('refuse-' + r.request, [{ name: 'reason', label: t('whyRequired'), required: true }], t('refuse'),
          v => act(t('refuse') + ' #' + r.request, () => api('POST', `/api/admin/share/requests/${r.request}/refuse`, v)))) : null);
    const heads = ['#', t('department'), t('resource'), t('purpose'), t('fields'), t('state'), t('dueOn')];
    return [h('h2', {}, t('pending')), pending.requests.length
      ? table(heads.concat(canOperate() ? [t('actions')] : []), pending.requests.map(r => requestRow(r, true)))
      : h('p', { id: 'no-pending', class: 'muted' }, t('none')),
      h('h2', {}, t('subscriptions')), table([t('department'), t('resource'), t('channel'), t('backlog'), t('lastError'), t('deadLetters')],
        subs.subscriptions.map(s => h('tr', { 'data-subscription': s.subscription },
          h('td', {}, s.department), h('td', {}, s.resource), h('td', {}, s.channel), h('td', {}, s.backlog ? s.backlog.records : ''),
          h('td', {}, s.lastError || ''), h('td', {}, s.deadLetters)))),
      h('h2', {}, t('allRequests')), table(heads, all.requests.map(r => requestRow(r, false)))];
  },

  async reports() {
    const data = await api('GET', '/api/reports');
    return [h('h2', {}, t('reports')), h('p', {}, `${t('nextDue')}: ${data.nextDue}`), table(
      [t('week'), t('revision'), t('generatedAt'), t('filings'), t('deliveries'), t('files')],
      data.reports.map(r => h('tr', { 'data-report': r.report_id },
        h('td', {}, r.week), h('td', {}, r.revision), h('td', {}, when(r.generated_at)), h('td', {}, r.filings),
        h('td', {}, (r.deliveries || []).map(d => h('div', { class: 'state-' + d.status }, `${d.target}: ${d.status} `,
          canOperate() ? h('button', { onclick: () => act(t('resend') + ' ' + d.target,
            () => api('POST', `/api/reports/${encodeURIComponent(r.report_id)}/deliveries/${encodeURIComponent(d.target)}/resend`)) }, t('resend')) : null))),
        h('td', {}, h('a', { href: '#/reports/' + encodeURIComponent(r.report_id) }, t('files'))))))];
  },

  async report(params, id) {
    const r = await api('GET', '/api/reports/' + encodeURIComponent(id));
    return [h('h2', {}, r.report_id), h('ul', {}, ((r.manifest && r.manifest.files) || []).map(f =>
      h('li', {}, h('a', { href: `/api/reports/${encodeURIComponent(id)}/files/${encodeURIComponent(f.name)}` }, f.name), ` (${f.bytes} B)`)))];
  },

  // Deploying a source (issue 19, docs/deploy-a-source.md): pick a source, new ones by their id
  async deploy() {
    const sources = await api('GET', '/api/admin/sources');
    const pick = inlineForm('deploy-source', [{ name: 'source', label: t('sourceId'), required: true }], t('open'),
      v => { location.hash = '#/deploy/' + encodeURIComponent(v.source.trim()); });
    return [h('h2', {}, t('deploy')), h('p', { class: 'muted' }, t('deployIntro')), pick,
      h('h3', {}, t('runningSources')), h('ul', {}, sources.map(s =>
        h('li', {}, h('a', { href: '#/deploy/' + encodeURIComponent(s.id) }, s.id), ` · ${s.status}`)))];
  },

  async deployment(params, id) {
    const base = `/api/admin/sources/${encodeURIComponent(id)}`;
    const [data, running] = await Promise.all([api('GET', base + '/versions'),
      api('GET', base).catch(() => null)]); // 404: the source does not run (new, or removed)
    const d = (running && running.details) || {};
    const out = [h('h2', {}, `${t('deploy')}: ${id}`),
      h('p', { id: 'deploy-status' }, `${t('status')} `, h('strong', {}, running ? running.status : t('notRunning')),
        running ? ` · ${t('counts')} ${d.published || 0} / ${d.repeats || 0} / ${d.quarantined || 0}` : '',
        ` · ${t('activeVersion')} `, h('strong', { id: 'active-version' }, data.active == null ? '—' : String(data.active)),
        ` · ${t('runningHere')} ${data.runningHere == null ? '—' : data.runningHere}`)];
    const trial = h('section', { id: 'trial' }); // connection tests, previews and files show here, without reloading the page

    out.push(h('h3', {}, t('deployVersions')), data.versions.length ? table(
      [t('version'), t('routeFile'), t('mapping'), t('by'), t('at'), t('reason'), t('state'), t('actions')],
      data.versions.map(v => {
        const n = field(v, 'version');
        const active = n === data.active;
        const cell = h('td', {}, h('button', { id: 'files-' + n, onclick: () => showFiles(trial, base, n) }, t('files')));
        if (canDeploy()) {
          cell.append(' ', h('button', { id: 'test-' + n, onclick: () => testConnection(trial, base, n) }, t('testConnection')),
            inlineForm('preview-' + n, [{ name: 'rows', label: t('rows'), type: 'number', value: 20, size: 4 },
              { name: 'from', label: t('from'), options: [['start', t('fromStart')], ['mark', t('fromMark')]] },
              { name: 'file', label: t('ftpFile'), size: 16 }], t('preview'), q => preview(trial, base, n, q)));
          if (!active) {
            cell.append(inlineForm('activate-' + n, [{ name: 'reason', label: t('whyRequired'), required: true }], t('activate'),
              q => act(`${t('activate')} ${id} v${n}`, () => api('POST', `${base}/versions/${n}/activate`, q))));
          }
        }
        return h('tr', { 'data-version': n, class: active ? 'active' : null },
          h('td', {}, n), h('td', {}, field(v, 'route_file') || ''), h('td', {}, field(v, 'mapping_id') || ''),
          h('td', {}, field(v, 'created_by')), h('td', {}, when(field(v, 'created_at'))), h('td', {}, field(v, 'reason')),
          h('td', { class: 'active' }, active ? h('span', { class: 'badge active' }, t('active')) : ''), cell);
      })) : h('p', { id: 'no-versions', class: 'muted' }, t('noVersions')), trial);

    if (canDeploy() && data.versions.length) {
      out.push(h('h3', {}, t('theSource')),
        inlineForm('rollback', [{ name: 'version', label: t('rollbackTo'), type: 'number', size: 4 },
          { name: 'reason', label: t('whyRequired'), required: true }], t('rollback'),
          q => act(`${t('rollback')} ${id}`, () => api('POST', base + '/rollback',
            { version: q.version ? Number(q.version) : undefined, reason: q.reason }))),
        inlineForm('remove', [{ name: 'reason', label: t('whyRequired'), required: true }], t('remove'),
          q => act(`${t('remove')} ${id}`, () => api('POST', base + '/remove', q))));
    }
    out.push(h('h3', {}, t('deployHistory')), table([t('action'), t('version'), t('reason'), t('by'), t('at')],
      data.history.map(x => h('tr', { 'data-action': field(x, 'action') },
        h('td', {}, field(x, 'action')), h('td', {}, field(x, 'version') == null ? '' : field(x, 'version')), h('td', {}, field(x, 'reason')),
        h('td', {}, field(x, 'changed_by')), h('td', {}, when(field(x, 'changed_at')))))));
    if (canDeploy()) {
      out.push(h('h3', {}, t('upload')), uploadForm(base));
    }
    return out;
  },
};

// ---- deploying a source: the parts of its page that answer without reloading it ----

/** The upload form: the route file, the mapping file (typed, pasted or loaded from a file), settings and why. */
function uploadForm(base) {
  const problems = h('ul', { id: 'upload-problems', class: 'problems' });
  const text = (name, cls) => h('textarea', { name, id: 'upload-' + name, class: cls, spellcheck: 'false' });
  const route = text('route'), mapping = text('mapping'), settings = text('settings', 'small');
  const routeFile = h('input', { name: 'routeFile', id: 'upload-routeFile', required: true, size: 32, placeholder: 'city-tax-source.yaml' });
  // a file read in the browser goes into its text area, where it can still be looked at and changed
  const loader = (area, onName) => h('input', { type: 'file', id: area.id + '-file', accept: '.yaml,.yml', onchange: async e => {
    const f = e.target.files[0];
    if (!f) return;
    area.value = await f.text();
    if (onName && !routeFile.value) onName(f.name);
  } });
  const form = h('form', { id: 'upload', class: 'upload' },
    h('label', {}, t('routeFileName'), routeFile),
    h('label', {}, t('routeText'), route), h('label', { class: 'file' }, t('loadFile'), loader(route, name => { routeFile.value = name; })),
    h('label', {}, t('mappingText'), mapping), h('label', { class: 'file' }, t('loadFile'), loader(mapping)),
    h('label', {}, t('settingsText'), settings),
    h('label', {}, t('whyRequired'), h('input', { name: 'reason', id: 'upload-reason', required: true, size: 60 })),
    h('p', {}, h('button', { type: 'submit', id: 'upload-button' }, t('uploadButton'))), problems);
  form.addEventListener('submit', async e => {
    e.preventDefault();
    problems.replaceChildren();
    const body = { routeFile: routeFile.value.trim(), route: route.value, mapping: mapping.value, reason: form.elements.reason.value };
    try {
      const given = settingsOf(settings.value);
      if (Object.keys(given).length) body.settings = given; // none: a source the route files define keeps the hub's own
      const answer = await api('POST', base + '/versions', body);
      if (answer.version === undefined) { // 422: every problem, each naming its file and line
        problems.replaceChildren(...(answer.problems || []).map(p => h('li', {}, p)));
        say(`${t('refused')}: ${(answer.problems || []).length}`, true);
        return;
      }
      await show();
      say(`${t('kept')} ${answer.version}`);
    } catch (err) {
      say(t('upload') + ': ' + err.message, true);
    }
  });
  return form;
}

/** "key=value" lines to an object; blank lines and # comments skipped, a line without '=' refused by its number. */
function settingsOf(text) {
  const settings = {};
  text.split('\n').forEach((line, i) => {
    const l = line.trim();
    if (!l || l.startsWith('#')) return;
    const eq = l.indexOf('=');
    if (eq < 1) throw new Error(`${t('settingsLine')} ${i + 1}: key=value`);
    settings[l.slice(0, eq).trim()] = l.slice(eq + 1).trim();
  });
  return settings;
}

async function testConnection(panel, base, n) {
  panel.replaceChildren(h('p', { class: 'muted' }, `${t('testConnection')} v${n} …`));
  try {
    const report = await api('POST', `${base}/versions/${n}/connection-test`);
    panel.replaceChildren(h('h3', { id: 'connection-result', class: report.ok ? 'ok' : 'failed' },
      `v${n}: ${report.ok ? t('connectionOk') : t('connectionFailed')}`),
      table([t('step'), '', t('detail')], report.steps.map(s => h('tr', { 'data-step': s.name, class: s.ok ? 'ok' : 'failed' },
        h('td', {}, s.name), h('td', { class: 'step-ok' }, s.ok ? t('ok') : t('failed')), h('td', {}, s.detail || '')))));
  } catch (e) {
    panel.replaceChildren();
    say(t('testConnection') + ': ' + e.message, true);
  }
}

async function preview(panel, base, n, q) {
  panel.replaceChildren(h('p', { class: 'muted' }, `${t('preview')} v${n} …`));
  const query = new URLSearchParams({ rows: q.rows || 20, from: q.from || 'start' });
  if (q.file) query.set('file', q.file);
  try {
    const p = await api('POST', `${base}/versions/${n}/preview?${query}`);
    panel.replaceChildren(h('h3', { id: 'preview-result' }, `${t('preview')} v${n} (${t('from')} ${p.from}): `,
      h('span', { id: 'preview-valid' }, `${t('valid')} ${p.valid}`), ' · ', h('span', { id: 'preview-quarantined' }, `${t('quarantine')} ${p.quarantined}`)),
      table([t('row'), t('key'), t('outcome'), t('priorityClass'), t('reasons'), t('record')],
        p.rows.map(r => h('tr', { 'data-row': r.row, class: 'outcome-' + r.outcome },
          h('td', {}, r.row), h('td', {}, r.recordKey || ''), h('td', { class: 'outcome' }, r.outcome),
          h('td', {}, r.priorityClass == null ? '' : h('span', { class: 'badge class-' + r.priorityClass }, r.priorityClass)),
          h('td', { class: 'reasons' }, (r.reasons || []).join('; ')),
          h('td', {}, h('pre', { class: 'record' }, JSON.stringify(r.record, null, 2)))))));
  } catch (e) {
    panel.replaceChildren();
    say(t('preview') + ': ' + e.message, true);
  }
}

/** A version's files as kept, its settings with secrets hidden (the hub never answers them back). */
async function showFiles(panel, base, n) {
  try {
    const v = await api('GET', `${base}/versions/${n}`);
    panel.replaceChildren(h('h3', {}, `v${n}: routes/${v.routeFile} · mappings/${v.mappingId}.yaml`),
      h('pre', { id: 'version-route' }, v.route), h('pre', { id: 'version-mapping' }, v.mapping),
      h('h3', {}, t('settings')), h('pre', { id: 'version-settings' },
        Object.entries(v.settings || {}).map(([k, value]) => `${k}=${value}`).join('\n')));
  } catch (e) {
    say(t('files') + ': ' + e.message, true);
  }
}

const TABS = ['batches', 'quarantine', 'sources', 'deploy', 'sharing', 'reports'];
// integrators see only what they may read: the sources (and deploying them), their quarantine
const READERS_ONLY = ['batches', 'sharing', 'reports'];
const tabs = () => TABS.filter(name => canRead() || !READERS_ONLY.includes(name));
// '#/batches/ID' shows one batch, '#/quarantine/ID' one record, '#/reports/ID' one report, '#/deploy/ID' one source's versions
const DETAIL = { batches: 'batch', quarantine: 'quarantined', reports: 'report', deploy: 'deployment' };

async function show() {
  const home = canRead() ? 'batches' : 'deploy';
  const [path, query] = (location.hash.replace(/^#\/?/, '') || home).split('?');
  const [tab, id] = path.split('/').map(decodeURIComponent);
  const wanted = id ? DETAIL[tab] : tab;
  const view = wanted in VIEWS && (canRead() || !READERS_ONLY.includes(tab)) ? wanted : home;
  document.getElementById('tabs').replaceChildren(...tabs().map(name =>
    h('a', { href: '#/' + name, class: name === tab ? 'active' : null, id: 'tab-' + name }, t(name))));
  const main = document.getElementById('view');
  try {
    const content = await VIEWS[view](new URLSearchParams(query || ''), id);
    main.replaceChildren(...[content].flat());
  } catch (e) {
    say(e.message, true);
  }
}

async function start() {
  me = await api('GET', '/api/admin/me');
  document.title = t('title');
  document.getElementById('title').textContent = t('title');
  document.getElementById('lang').textContent = t('language');
  document.getElementById('lang').onclick = () => {
    lang = lang === 'zh' ? 'en' : 'zh';
    localStorage.setItem('govhub.lang', lang);
    start();
  };
  document.getElementById('who').textContent = `${me.user} (${me.roles.join(', ')}${canOperate() || canDeploy() ? '' : ', ' + t('readOnly')})`;
  document.getElementById('logout-button').textContent = t('logout');
  document.getElementById('logout-csrf').value = csrfToken();
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  await show();
}

window.addEventListener('hashchange', () => { say(''); show(); });
start();
