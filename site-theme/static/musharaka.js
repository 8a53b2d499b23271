// Progressive enhancement only: every form works without this script. With it, forms are
// sent with fetch and the localized answer is shown in place, and counts are refreshed.
(function () {
  'use strict';

  // Thousands grouped as the page groups them.
  function group(n, sep) {
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, sep);
  }

  // The form of a plural table (the page's UI strings) for `n`, with {n} written in.
  function plural(box, name, n) {
    var table = {};
    try { table = JSON.parse(box.getAttribute(name) || '{}'); } catch (e) { return ''; }
    var lang = box.getAttribute('data-lang') || document.documentElement.lang;
    var form = table[new Intl.PluralRules(lang).select(n)] || table.other || '';
    return form.replace('{n}', group(n, box.getAttribute('data-sep') || ' '));
  }

  function setCount(box, count) {
    if (!box || !count) return;
    var total = box.querySelector('.count-total');
    if (total && count.text) total.textContent = count.text;
    var threshold = Number(box.getAttribute('data-threshold')) || 1;
    var percent = Math.min(100, Math.floor((count.total * 100) / threshold));
    var bar = box.querySelector('.count-progress');
    if (bar) {
      bar.value = percent;
      bar.textContent = percent + ' %';
    }
    var shown = box.querySelector('.count-percent');
    if (shown) shown.textContent = (box.getAttribute('data-percent') || '').replace('{percent}', percent);
    var left = box.querySelector('.count-left');
    var missing = Math.max(0, threshold - count.total);
    if (left) left.textContent = missing ? plural(box, 'data-left', missing) : box.getAttribute('data-reached') || '';
    // The count is now the live one: the build's date no longer applies.
    var updated = box.parentNode.querySelector('.updated');
    if (updated) updated.hidden = true;
  }

  // The days left to sign, counted now rather than when the page was built; once closed, no
  // more invitation to sign.
  function setDaysLeft(box) {
    var closes = Date.parse(box.getAttribute('data-closes') || '');
    var shown = box.querySelector('.days-left');
    if (!shown || isNaN(closes)) return;
    var days = Math.floor((closes - Date.now()) / 86400000);
    if (closes <= Date.now()) {
      shown.hidden = true;
      var around = box.closest('.card, .standing');
      if (around) around.querySelectorAll('.sign-cta, .card-action').forEach(function (e) { e.hidden = true; });
      return;
    }
    shown.textContent = days > 0 ? plural(box, 'data-days', days) : box.getAttribute('data-last-day') || '';
  }

  // A new signature's receipt code, shown once: the signer keeps it to check or withdraw.
  function showReceipt(out, receipt) {
    var code = document.createElement('strong');
    code.className = 'receipt-code';
    code.dir = 'ltr';
    code.textContent = receipt.code;
    var link = document.createElement('a');
    link.href = receipt.url;
    link.textContent = receipt.link;
    out.appendChild(document.createElement('br'));
    out.appendChild(document.createTextNode(receipt.label + ' '));
    out.appendChild(code);
    out.appendChild(document.createElement('br'));
    out.appendChild(document.createTextNode(receipt.keep + ' '));
    out.appendChild(link);
  }

  // Which initiative a checked or withdrawn receipt belongs to, and when it was signed.
  function showInitiative(out, about) {
    var title = document.createElement(about.url ? 'a' : 'span');
    if (about.url) title.href = about.url;
    title.textContent = about.title;
    out.appendChild(document.createElement('br'));
    out.appendChild(document.createTextNode(about.label + ' '));
    out.appendChild(title);
    out.appendChild(document.createTextNode(' ' + about.signed));
  }

  // The confirmation page: the reference (and, from an email's link, the code) come in the
  // URL's fragment, which never reaches a server; fill them in, then drop them from the URL.
  function fillConfirm() {
    var form = document.querySelector('form[data-confirm]');
    if (!form || !location.hash) return;
    var params = new URLSearchParams(location.hash.slice(1));
    var reference = params.get('r');
    var code = params.get('c');
    var to = params.get('to');
    if (reference) form.querySelector('[name="reference"]').value = reference;
    if (code) form.querySelector('[name="code"]').value = code;
    var sent = document.querySelector('.sent-to');
    if (to && sent) {
      var text = sent.getAttribute('data-text') || '';
      var at = text.indexOf('{to}');
      var bdi = document.createElement('bdi');
      bdi.dir = 'ltr';
      bdi.textContent = to;
      sent.textContent = at < 0 ? text : text.slice(0, at);
      if (at >= 0) {
        sent.appendChild(bdi);
        sent.appendChild(document.createTextNode(text.slice(at + 4)));
      }
      sent.parentNode.hidden = false;
    }
    history.replaceState(null, '', location.pathname + location.search);
    var next = form.querySelector(code ? 'button[value="confirm"]' : '[name="code"]');
    if (next) next.focus();
  }

  // The problems of a refused form: a summary at its top linking to each field (it takes the
  // focus), and each message beside its field, which is marked invalid and described by it.
  function clearErrors(form) {
    form.querySelectorAll('.error-summary, .field-error').forEach(function (e) { e.remove(); });
    form.querySelectorAll('[aria-invalid]').forEach(function (input) {
      input.removeAttribute('aria-invalid');
      var ids = (input.getAttribute('aria-describedby') || '').split(' ').filter(function (id) {
        return id && !/-error$/.test(id);
      });
      if (ids.length) input.setAttribute('aria-describedby', ids.join(' '));
      else input.removeAttribute('aria-describedby');
      var box = input.closest('.field, .check');
      if (box) box.classList.remove('invalid');
    });
  }

  var summaries = 0;

  function showErrors(form, answer) {
    var summary = document.createElement('div');
    // It takes the focus, which reads it out: no live region besides.
    summary.className = 'error-summary';
    summary.setAttribute('data-code', answer.code);
    summary.tabIndex = -1;
    var title = document.createElement('h2');
    summaries += 1;
    title.id = 'errors-title-' + summaries;
    summary.setAttribute('aria-labelledby', title.id);
    title.textContent = answer.errors_title || answer.message;
    summary.appendChild(title);
    var list = document.createElement('ul');
    answer.errors.forEach(function (problem) {
      var input = form.elements.namedItem(problem.field);
      if (input && !input.id && input[0]) input = input[0];
      var item = document.createElement('li');
      var link = document.createElement(input && input.id ? 'a' : 'span');
      if (input && input.id) link.href = '#' + input.id;
      link.textContent = problem.message;
      item.appendChild(link);
      list.appendChild(item);
      if (!input || !input.id) return;
      var error = document.createElement('p');
      error.className = 'field-error';
      error.id = input.id + '-error';
      error.textContent = problem.message;
      input.parentNode.insertBefore(error, input);
      input.setAttribute('aria-invalid', 'true');
      var described = input.getAttribute('aria-describedby');
      input.setAttribute('aria-describedby', (described ? described + ' ' : '') + error.id);
      var box = input.closest('.field, .check');
      if (box) box.classList.add('invalid');
    });
    summary.appendChild(list);
    form.insertBefore(summary, form.firstChild);
    return summary;
  }

  function countBox(id) {
    return document.querySelector('[data-count-for="' + id + '"]');
  }

  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute('data-enhance')) return;
    event.preventDefault();
    var out = form.querySelector('.result');
    var button = event.submitter || form.querySelector('button[type="submit"]');
    var fields = new FormData(form);
    if (button && button.name) fields.append(button.name, button.value);
    if (button) button.disabled = true;
    if (out) {
      out.className = 'result';
      out.textContent = form.getAttribute('data-sending') || '';
    }
    // JSON: each letter travels as itself, not as 6 to 12 bytes of percent-encoding.
    var object = {};
    fields.forEach(function (value, name) { object[name] = value; });
    // Where the focus goes once the answer is shown: the problems, else the result.
    var focusAfter = null;
    fetch(form.action, {
      method: 'POST',
      headers: { 'Accept': 'application/json', 'Content-Type': 'application/json' },
      body: JSON.stringify(object),
      credentials: 'same-origin'
    })
      .then(function (response) { return response.json(); })
      .then(function (answer) {
        if (answer.code === 'code-sent' && answer.confirm) {
          // The code is on its way: type it on the confirmation page.
          location.assign(answer.confirm.url);
          return;
        }
        var contest = form.querySelector('button.contest');
        if (contest) contest.hidden = answer.code !== 'cin-taken';
        clearErrors(form);
        if (answer.errors && answer.errors.length) {
          if (out) {
            out.textContent = '';
            out.className = 'result';
          }
          focusAfter = showErrors(form, answer);
        } else if (out) {
          out.textContent = answer.message;
          out.setAttribute('data-code', answer.code);
          out.className = 'result ' + (answer.ok ? 'ok' : 'error');
          if (answer.receipt) showReceipt(out, answer.receipt);
          if (answer.initiative) showInitiative(out, answer.initiative);
          focusAfter = out;
        }
        var id = form.getAttribute('data-initiative');
        if (id && answer.count) setCount(countBox(id), answer.count);
        if (answer.ok && form.hasAttribute('data-reset')) form.reset();
      })
      .catch(function () {
        clearErrors(form);
        if (out) {
          out.textContent = form.getAttribute('data-failed') || '';
          out.className = 'result error';
          focusAfter = out;
        }
      })
      .then(function () {
        if (button) button.disabled = false;
        if (focusAfter) {
          if (!focusAfter.hasAttribute('tabindex')) focusAfter.tabIndex = -1;
          focusAfter.focus();
        }
      });
  });

  function refreshCounts() {
    var boxes = document.querySelectorAll('[data-count-for]');
    boxes.forEach(setDaysLeft);
    if (!boxes.length) return;
    var lang = boxes[0].getAttribute('data-lang') || document.documentElement.lang;
    var all = [];
    boxes.forEach(function (b) { all.push(b); });
    // The API answers at most 50 ids at a time.
    for (var i = 0; i < all.length; i += 50) fetchCounts(all.slice(i, i + 50), lang);
  }

  function fetchCounts(boxes, lang) {
    var ids = boxes.map(function (b) { return b.getAttribute('data-count-for'); });
    fetch('/api/counts?lang=' + encodeURIComponent(lang) + '&ids=' + ids.map(encodeURIComponent).join(','), {
      headers: { 'Accept': 'application/json' }
    })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (answer) {
        if (!answer) return;
        boxes.forEach(function (b) { setCount(b, answer.counts[b.getAttribute('data-count-for')]); });
      })
      .catch(function () {});
  }

  fillConfirm();
  refreshCounts();
})();
