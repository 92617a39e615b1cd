/* The workbench's address, pages and keyboard (dashboard/components/wb_links.py):
 * - the address bar follows the view: filters and the queue's page replace the history entry, opening or closing
 *   a case adds one (so Back returns to the case before, and the address is always a link to what is shown);
 * - the queue's page controls, drawn from the queue's data (buttons kept, so keyboard focus stays on them);
 * - keyboard shortcuts on the open card and the queue, with a "?" overlay listing them. Never while typing in a
 *   field, never with Ctrl / Alt / ⌘; an action key only clicks an action the card offers (the server decides
 *   which, and checks again when the action is sent). */
(function () {
    "use strict";
    const noUpdate = function () { return window.dash_clientside.no_update; };
    const state = {page: null, pending: null, opener: null, keys: null};

    /* --- the address ---------------------------------------------------------------------------------------- */

    function empty(v) {
        return v === null || v === undefined || v === false || v === "" || (Array.isArray(v) && !v.length);
    }

    const DEFAULTS = {window: "open", focus: "all"};

    function encode(v) { return encodeURIComponent(v).replace(/%2C/g, ","); }

    function query(params) {
        const parts = [];
        params.forEach(function (pair) { parts.push(encode(pair[0]) + "=" + encode(pair[1])); });
        return parts.length ? "?" + parts.join("&") : "";
    }

    function address() {
        const args = Array.prototype.slice.call(arguments);
        const sync = args.pop(), selected = args.pop(), card = args.pop(), queue = args.pop();
        if (!sync || !sync.names) { return noUpdate(); }
        state.sync = sync;
        const here = new URL(window.location.href);
        if (here.pathname.replace(/\/+$/, "") !== "/workbench") { return noUpdate(); }
        const old = here.searchParams;
        const caseParam = sync["case"];
        let ticket = old.get(caseParam);
        const shown = card && card.ticket && selected ? card.ticket : null;
        /* after Back / Forward the address leads until the view has followed it (or the user picked another) */
        const hist = state.history;
        if (hist) {
            const moved = selected && selected.src !== "link" && (selected.ts || 0) > hist.at;
            const arrived = hist.ticket ? shown === hist.ticket : !selected;
            if (moved || arrived) { state.history = null; }
        }
        /* a card shown: its ticket; the card closed: none. Before any card (a deep link still opening, or one
         * that could not open), the address keeps what it asked for. */
        if (!state.history) {
            if (shown) {
                ticket = shown;
            } else if (!selected && state.shown) {
                ticket = null;
            }
            state.shown = !!shown;
        }
        const params = [];
        if (ticket) { params.push([caseParam, ticket]); }
        sync.names.forEach(function (name, i) {
            const v = args[i];
            if (empty(v) || DEFAULTS[name] === v) { return; }
            params.push([name, v === true ? "1" : Array.isArray(v) ? v.join(",") : String(v)]);
        });
        let page = old.get("page");
        if (queue && queue.page) {
            const n = Math.floor(queue.page.offset / queue.page.limit) + 1;
            page = n > 1 ? String(n) : null;
        }
        if (page) { params.push(["page", page]); }
        const next = query(params);
        if (next !== here.search) {
            const url = here.pathname + next + here.hash;
            if ((old.get(caseParam) || null) !== (ticket || null)) {
                window.history.pushState(window.history.state, "", url);
            } else {
                window.history.replaceState(window.history.state, "", url);
            }
        }
        return noUpdate();
    }

    /* Back / Forward: Dash does not rebuild the page for another query string, so set the view from the
     * address here: the filters, the page, the case (through the deep link, which checks it again). */
    window.addEventListener("popstate", function () {
        const sync = state.sync;
        if (!sync || !document.getElementById("wb-root")) { return; }
        const here = new URL(window.location.href);
        if (here.pathname.replace(/\/+$/, "") !== "/workbench") { return; }
        const p = here.searchParams;
        sync.names.forEach(function (name, i) {
            const target = sync.targets[i], raw = p.get(name), allowed = sync.allowed[name];
            let value;
            if (target[2]) {
                value = (raw || "").split(",").filter(function (x) { return x && (!allowed || allowed.indexOf(x) >= 0); });
            } else if (name === "inview") {
                value = raw === "1";
            } else {
                value = raw && (!allowed || allowed.indexOf(raw) >= 0) ? raw : (DEFAULTS[name] || null);
            }
            const props = {};
            props[target[1]] = value;
            window.dash_clientside.set_props(target[0], props);
        });
        const page = parseInt(p.get("page") || "1", 10);
        const limit = state.page ? state.page.limit : 50;
        window.dash_clientside.set_props("wbl-page", {data: {offset: Math.max(0, (page || 1) - 1) * limit, ts: Date.now()}});
        const ticket = p.get(sync["case"]);
        state.history = {ticket: ticket, at: Date.now()};
        if (ticket) {
            window.dash_clientside.set_props("wbl-link", {data: {ticket: ticket, ts: Date.now()}});
        } else {
            window.dash_clientside.set_props("wb-selected", {data: null});
        }
    });

    /* --- the queue's pages ------------------------------------------------------------------------------------ */

    function button(nav, role, text) {
        let b = nav.querySelector('button[data-role="' + role + '"]');
        if (!b) {
            b = document.createElement("button");
            b.type = "button";
            b.className = "wbl-page-btn";
            b.dataset.role = role;
            b.textContent = text;
            nav.appendChild(b);
        }
        return b;
    }

    function pager(payload) {
        const nav = document.getElementById("wbl-pager");
        if (!nav || !payload || !payload.page) { return noUpdate(); }
        const pg = payload.page, s = pg.strings;
        state.page = pg;
        const pages = Math.max(1, Math.ceil(pg.total / pg.limit));
        const cur = Math.floor(pg.offset / pg.limit) + 1;
        nav.setAttribute("aria-label", s.nav);
        nav.hidden = pages <= 1;
        const spec = [
            ["first", "«", 0, cur > 1],
            ["prev", "‹", (cur - 2) * pg.limit, cur > 1],
            ["of", "", null, false],
            ["next", "›", cur * pg.limit, cur < pages],
            ["last", "»", (pages - 1) * pg.limit, cur < pages],
        ];
        spec.forEach(function (x) {
            if (x[0] === "of") {
                let label = nav.querySelector(".wbl-page-of");
                if (!label) {
                    label = document.createElement("span");
                    label.className = "wbl-page-of";
                    label.setAttribute("aria-live", "polite");
                    nav.appendChild(label);
                }
                label.textContent = s.of.replace("{page}", cur.toLocaleString()).replace("{pages}", pages.toLocaleString());
                return;
            }
            const b = button(nav, x[0], x[1]);
            b.title = s[x[0]];
            b.setAttribute("aria-label", s[x[0]]);
            b.dataset.offset = String(Math.max(0, x[2]));
            b.disabled = !x[3];
        });
        if (state.pending) {
            const which = state.pending;
            const first = payload.rows && payload.rows.length ? String(payload.rows[0].id) : null;
            state.pending = null;
            whenDrawn(first, 40, function () { pick(which); });
        }
        return cur;
    }

    /* the queue's rows are drawn by another clientside callback of the same data: wait for them */
    function whenDrawn(firstId, tries, then) {
        const row = document.querySelector("#wb-queue .wb-row");
        if ((row && row.dataset.id === firstId) || tries <= 0) { then(); return; }
        setTimeout(function () { whenDrawn(firstId, tries - 1, then); }, 50);
    }

    function goTo(offset) {
        window.dash_clientside.set_props("wbl-page", {data: {offset: offset, ts: Date.now()}});
    }

    function turn(step, then) {
        const pg = state.page;
        if (!pg) { return false; }
        const offset = pg.offset + step * pg.limit;
        if (offset < 0 || offset >= pg.total) { return false; }
        state.pending = then || null;
        goTo(offset);
        return true;
    }

    document.addEventListener("click", function (ev) {
        const b = ev.target && ev.target.closest ? ev.target.closest("#wbl-pager .wbl-page-btn") : null;
        if (b && !b.disabled) { goTo(parseInt(b.dataset.offset, 10) || 0); }
    });

    /* --- keyboard ----------------------------------------------------------------------------------------- */

    function rows() { return Array.prototype.slice.call(document.querySelectorAll("#wb-queue .wb-row")); }

    function pick(which) {
        const all = rows();
        if (!all.length) { return; }
        const row = which === "last" ? all[all.length - 1] : all[0];
        row.click();
        row.focus();
    }

    function step(delta) {
        const all = rows();
        if (!all.length) { return; }
        const at = all.findIndex(function (r) { return r.classList.contains("is-sel"); });
        const to = at < 0 ? (delta > 0 ? 0 : all.length - 1) : at + delta;
        if (to >= all.length) { turn(1, "first"); return; }
        if (to < 0) { turn(-1, "last"); return; }
        all[to].click();
        all[to].focus();
    }

    function cardOpen() {
        const card = document.getElementById("wb-card");
        return card && !card.hidden ? card : null;
    }

    function overlay() { return document.getElementById("wbl-keys"); }

    function keyMap() {
        if (!state.keys) {
            try { state.keys = JSON.parse(overlay().dataset.keys || "{}"); } catch (e) { state.keys = {}; }
        }
        return state.keys;
    }

    function offered(key) {
        const card = cardOpen();
        if (!card) { return null; }
        const actions = keyMap()[key] || [];
        for (let i = 0; i < actions.length; i++) {
            const b = card.querySelector('.wb-choose-btn[data-a="' + actions[i] + '"]');
            if (b) { return b; }
        }
        return null;
    }

    function showKeys() {
        const box = overlay();
        if (!box) { return; }
        state.opener = document.activeElement;
        box.querySelectorAll("tr.wbl-key").forEach(function (tr) {
            const off = !offered(tr.dataset.k);
            tr.classList.toggle("is-off", off);
            tr.setAttribute("aria-disabled", off ? "true" : "false");
        });
        box.hidden = false;
        const close = document.getElementById("wbl-keys-close");
        if (close) { close.focus(); }
    }

    function hideKeys() {
        const box = overlay();
        if (!box || box.hidden) { return false; }
        box.hidden = true;
        if (state.opener && state.opener.focus && document.contains(state.opener)) { state.opener.focus(); }
        state.opener = null;
        return true;
    }

    document.addEventListener("click", function (ev) {
        const t = ev.target && ev.target.closest ? ev.target : null;
        if (!t) { return; }
        if (t.closest("#wbl-keys-open")) { showKeys(); return; }
        if (t.closest("#wbl-keys-close") || t.id === "wbl-keys") { hideKeys(); }
    });

    function typing(el) {
        if (!el || !el.tagName) { return false; }
        const tag = el.tagName;
        if (tag === "INPUT" && /^(radio|checkbox|button|submit|reset|range|color)$/i.test(el.type || "")) {
            return false;  /* a chip, a switch or a segment has focus: not typing */
        }
        return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable
            || !!(el.closest && el.closest('[contenteditable="true"], [role="combobox"], [role="textbox"]'));
    }

    /* capture phase: Escape closes the overlay before the page's own Escape closes the card */
    window.addEventListener("keydown", function (ev) {
        if (!document.getElementById("wb-root")) { return; }
        const box = overlay();
        const open = box && !box.hidden;
        if (ev.key === "Escape" && open) {
            ev.preventDefault();
            ev.stopPropagation();
            hideKeys();
            return;
        }
        if (ev.ctrlKey || ev.metaKey || ev.altKey || ev.isComposing || typing(ev.target)) { return; }
        if (ev.key === "?") {
            ev.preventDefault();
            if (open) { hideKeys(); } else { showKeys(); }
            return;
        }
        if (open || ev.shiftKey || !ev.key || ev.key.length !== 1) { return; }
        const k = ev.key.toLowerCase();
        let done = true;
        if (k === "j") { step(1); }
        else if (k === "k") { step(-1); }
        else if (k === "n") { turn(1); }
        else if (k === "p") { turn(-1); }
        else {
            const b = offered(k);
            if (b) { b.click(); } else { done = false; }
        }
        if (done) { ev.preventDefault(); }
    }, true);

    window.dash_clientside = Object.assign({}, window.dash_clientside, {
        wbl: {address: address, pager: pager},
    });
})();
