// The search page's script (loaded on that page only): turns the words typed into terms as the
// build does, fetches the index shards of those words and the list entries of the results it
// shows, ranks pages holding every word (tf-idf, a word matching every term it begins). Without
// it the page points to the sections to browse.
(function () {
  'use strict';

  var ARTICLES = ['وال', 'بال', 'كال', 'فال', 'لل', 'ال'];
  var WORD = /[\p{Alphabetic}\p{Nd}\p{Nl}\p{No}]/u;
  var PAGE = 10;
  var CHUNK = 50;

  // Latin combining marks, Arabic diacritics and tatweel: dropped without splitting a word.
  function dropped(c) {
    var n = c.codePointAt(0);
    return (n >= 0x300 && n <= 0x36f) || (n >= 0x64b && n <= 0x65f) || n === 0x670 || n === 0x640;
  }

  var ARABIC = { 'أ': 'ا', 'إ': 'ا', 'آ': 'ا', 'ٱ': 'ا', 'ى': 'ي', 'ئ': 'ي', 'ة': 'ه', 'ؤ': 'و' };

  // The terms of `text`, as generator/src/search/terms.rs gives them.
  function terms(text) {
    var out = [];
    var word = '';
    function end() {
      if (word) {
        var letters = Array.from(word).length;
        var term = word;
        for (var i = 0; i < ARTICLES.length; i++) {
          var a = ARTICLES[i];
          if (word.indexOf(a) === 0 && letters - a.length >= 2) {
            term = word.slice(a.length);
            letters -= a.length;
            break;
          }
        }
        if (letters >= 2) out.push(term);
      }
      word = '';
    }
    for (var c of String(text).normalize('NFD')) {
      if (dropped(c)) continue;
      for (var l of (ARABIC[c] || c).toLowerCase()) {
        if (l === 'œ') word += 'oe';
        else if (l === 'æ') word += 'ae';
        else if (WORD.test(l)) word += l;
        else end();
      }
    }
    end();
    return out;
  }
  window.musharakaSearchTerms = terms;

  var box = document.querySelector('.search-page');
  if (!box) return;
  var form = box.querySelector('form[role=search]');
  var input = form.querySelector('input[name=q]');
  var status = box.querySelector('.search-status');
  var list = box.querySelector('.search-results');
  var moreRow = box.querySelector('.search-more-row');
  var more = box.querySelector('.search-more');
  var base = box.getAttribute('data-index');
  var docs = Number(box.getAttribute('data-docs')) || 1;
  var lang = box.getAttribute('data-lang') || document.documentElement.lang;
  box.querySelector('.search-nojs').hidden = true;

  var cache = {};
  function getJson(file) {
    if (!cache[file]) {
      cache[file] = fetch(base + file).then(function (r) {
        if (r.status === 404) return null;
        if (!r.ok) throw new Error(String(r.status));
        return r.json();
      });
      cache[file].catch(function () { delete cache[file]; });
    }
    return cache[file];
  }

  function hex(s) {
    return Array.from(new TextEncoder().encode(s), function (b) { return b.toString(16).padStart(2, '0'); }).join('');
  }

  // Document number -> score, for the pages holding a term that begins with `word`.
  function scores(word, shard) {
    var m = new Map();
    if (!shard) return m;
    Object.keys(shard).forEach(function (term) {
      if (term.indexOf(word) !== 0) return;
      var p = shard[term];
      var idf = Math.log(1 + docs / (p.length / 2));
      var doc = 0;
      for (var i = 0; i < p.length; i += 2) {
        doc += p[i];
        m.set(doc, (m.get(doc) || 0) + (1 + Math.log(p[i + 1])) * idf);
      }
    });
    return m;
  }

  // The pages holding every word, best first.
  function rank(maps) {
    maps.sort(function (a, b) { return a.size - b.size; });
    var found = [];
    maps[0].forEach(function (s, doc) {
      var total = s;
      for (var i = 1; i < maps.length; i++) {
        var t = maps[i].get(doc);
        if (t === undefined) return;
        total += t;
      }
      found.push([doc, total]);
    });
    found.sort(function (a, b) { return b[1] - a[1] || a[0] - b[0]; });
    return found.map(function (f) { return f[0]; });
  }

  function plural(n) {
    var table = {};
    try { table = JSON.parse(box.getAttribute('data-results') || '{}'); } catch (e) { /* the other form */ }
    var known = Intl.PluralRules.supportedLocalesOf([lang]).length > 0;
    var cat = known ? new Intl.PluralRules(lang).select(n) : (n === 1 ? 'one' : 'other');
    return (table[cat] || table.other || '{n}').replace('{n}', String(n));
  }

  function item(row) {
    var li = document.createElement('li');
    li.className = 'card';
    li.lang = row[4];
    li.dir = row[5];
    var h = document.createElement('h2');
    h.className = 'card-title';
    var a = document.createElement('a');
    a.href = row[0];
    a.textContent = row[1];
    h.appendChild(a);
    li.appendChild(h);
    if (row[3]) {
      var label = document.createElement('p');
      label.className = 'meta';
      label.textContent = row[3];
      li.appendChild(label);
    }
    if (row[2]) {
      var p = document.createElement('p');
      p.textContent = row[2];
      li.appendChild(p);
    }
    return li;
  }

  var serial = 0;
  var found = [];
  var shown = 0;

  // Shows the next page of results, their list entries fetched first.
  function showMore(run) {
    var next = found.slice(shown, shown + PAGE);
    var chunks = next.map(function (d) { return Math.floor(d / CHUNK); });
    return Promise.all(chunks.map(function (c) { return getJson('d-' + c + '.json'); })).then(function (rows) {
      if (run !== serial) return;
      next.forEach(function (d, i) {
        var row = rows[i] && rows[i][d % CHUNK];
        if (row) list.appendChild(item(row));
      });
      shown += next.length;
      moreRow.hidden = shown >= found.length;
    });
  }

  function search(q) {
    var run = ++serial;
    var words = Array.from(new Set(terms(q))).slice(0, 8);
    list.textContent = '';
    moreRow.hidden = true;
    found = [];
    shown = 0;
    if (!words.length) {
      status.textContent = q.trim() ? box.getAttribute('data-short') : '';
      return Promise.resolve();
    }
    var files = words.map(function (w) { return 't-' + hex(Array.from(w).slice(0, 2).join('')) + '.json'; });
    return Promise.all(files.map(getJson)).then(function (shards) {
      if (run !== serial) return;
      found = rank(words.map(function (w, i) { return scores(w, shards[i]); }));
      return showMore(run).then(function () {
        if (run !== serial) return;
        status.textContent = found.length ? plural(found.length) : box.getAttribute('data-none').replace('{q}', q.trim());
      });
    }).catch(function () {
      if (run === serial) status.textContent = box.getAttribute('data-failed');
    });
  }

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    var url = new URL(window.location.href);
    url.searchParams.set('q', input.value);
    window.history.replaceState(null, '', url);
    search(input.value);
  });
  more.addEventListener('click', function () {
    var first = list.children.length;
    showMore(serial).then(function () {
      var link = list.children[first] && list.children[first].querySelector('a');
      if (link) link.focus();
    });
  });

  var q = new URL(window.location.href).searchParams.get('q');
  if (q) {
    input.value = q;
    search(q);
  }
})();
