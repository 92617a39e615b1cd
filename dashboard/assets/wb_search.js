/* The workbench's case search in the browser: "/" focuses the box, the results list (arrows move, Enter or a
 * click opens the case's card, Esc clears), the results' pins on the map, the busy spinner. The search itself
 * runs on the server (dashboard/callbacks/wb_search.py). Referenced from Python as Namespace("wbs", "map") and
 * ClientsideFunction("wbs", ...). Loaded before workbench.js (assets load by name), so its key handler runs
 * first and keeps the keys it uses to itself. */
(function () {
    "use strict";
    const COLORS = {green: "#2f9e44", yellow: "#f08c00", red: "#e03131", none: "#868e96"};
    const state = {rows: {}, selected: null, q: null, timer: null, typed: 0};
    const PAUSE_MS = 250;
    const noUpdate = function () { return window.dash_clientside.no_update; };

    window.wbs = Object.assign({}, window.wbs, {
        map: {
            /* a result: a violet ring around a dot in its light's colour, above the case pins */
            pin: function (feature, latlng) {
                const p = feature.properties;
                const marker = L.circleMarker(latlng, {
                    radius: 11,
                    color: "#7048e8",
                    weight: 3.5,
                    fillColor: COLORS[p.l] || COLORS.none,
                    fillOpacity: 0.9,
                    className: "wbs-pin wbs-pin-" + p.id,
                    pane: "wbs-pane",
                });
                marker.bindTooltip(p.t, {direction: "top", offset: [0, -10]});
                return marker;
            },
        },
    });

    function el(tag, cls, text) {
        const node = document.createElement(tag);
        if (cls) { node.className = cls; }
        if (text !== undefined && text !== null) { node.textContent = text; }
        return node;
    }

    function input() { return document.getElementById("wbs-input"); }

    function busy(on) {
        const sp = document.getElementById("wbs-spinner");
        if (sp) { sp.hidden = !on; }
        clearTimeout(state.timer);
        if (on) { state.timer = setTimeout(function () { busy(false); }, 8000); }
    }

    /* one result; text only through textContent (addresses and descriptions are data, never markup) */
    function row(r, s) {
        const b = el("button", "wbs-row" + (r.id === state.selected ? " is-sel" : ""));
        b.type = "button";
        b.tabIndex = -1;
        b.setAttribute("role", "option");
        b.setAttribute("aria-selected", r.id === state.selected ? "true" : "false");
        b.dataset.id = String(r.id);
        b.appendChild(el("span", "wb-dot wb-l-" + r.l));
        const main = el("span", "wbs-row-main");
        const top = el("span", "wbs-row-top");
        top.appendChild(el("b", "wbs-ticket", r.t));
        top.appendChild(el("span", "wb-badge wb-st-" + r.s, s.status[r.s] || r.s));
        if (r.u) { top.appendChild(el("span", "wb-tag wb-tag-urgent", s.urgent)); }
        top.appendChild(el("span", "wbs-when", r.w));
        main.appendChild(top);
        main.appendChild(el("span", "wbs-row-sub", r.c + (r.d ? " · " + r.d : "")));
        main.appendChild(el("span", "wbs-row-addr", r.a || s.noAddress));
        const last = el("span", "wbs-row-desc", r.x);
        if (r.p) { last.appendChild(el("span", "wbs-phone", " · " + r.p)); }
        main.appendChild(last);
        b.appendChild(main);
        b.appendChild(el("span", "wbs-matched", s.matched[r.m] || ""));
        return b;
    }

    function rows() { return Array.prototype.slice.call(document.querySelectorAll("#wbs-list .wbs-row")); }

    function open(button) {
        const r = state.rows[button.dataset.id];
        if (!r) { return; }
        window.dash_clientside.set_props("wb-selected", {data: {id: r.id, ll: r.ll, src: "search", ts: Date.now()}});
    }

    function inside(ll, view) {
        const b = view && view.bounds;
        return !!b && ll[0] >= b[0][0] && ll[0] <= b[1][0] && ll[1] >= b[0][1] && ll[1] <= b[1][1];
    }

    /* the map on the results when some are out of view: one result close up, several within their bounds */
    function fit(list, view) {
        if (!list.length || list.every(function (r) { return inside(r.ll, view); })) { return; }
        if (list.length === 1) {
            window.dash_clientside.set_props("wb-map", {viewport: {center: list[0].ll, zoom: 16, transition: "setView"}});
            return;
        }
        let s = 90, w = 180, n = -90, e = -180;
        list.forEach(function (r) {
            s = Math.min(s, r.ll[0]); n = Math.max(n, r.ll[0]);
            w = Math.min(w, r.ll[1]); e = Math.max(e, r.ll[1]);
        });
        const pad = 0.002;
        window.dash_clientside.set_props("wb-map", {
            viewport: {bounds: [[s - pad, w - pad], [n + pad, e + pad]], transition: "fitBounds"},
        });
    }

    function clear() {
        const box = input();
        if (box) { box.value = ""; }
        window.dash_clientside.set_props("wbs-input", {value: ""});
        if (box) { box.focus(); }
    }

    document.addEventListener("click", function (ev) {
        const b = ev.target && ev.target.closest ? ev.target.closest("#wbs-list .wbs-row") : null;
        if (b) { open(b); }
    });

    document.addEventListener("input", function (ev) {
        if (ev.target && ev.target.id === "wbs-input") {
            busy(ev.target.value.trim() !== (state.q || "") );
        }
    });

    function typing(t) {
        if (!t || !t.tagName) { return false; }
        const tag = t.tagName;
        return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || t.isContentEditable;
    }

    document.addEventListener("keydown", function (ev) {
        const t = ev.target;
        if (ev.key === "/" && !ev.ctrlKey && !ev.metaKey && !ev.altKey && !typing(t) && input()) {
            ev.preventDefault();
            input().focus();
            input().select();
            return;
        }
        const inBox = t && t.id === "wbs-input";
        const inList = t && t.classList && t.classList.contains("wbs-row");
        if (!inBox && !inList) { return; }
        const list = rows();
        if (ev.key === "Escape") {
            ev.preventDefault();
            ev.stopImmediatePropagation();
            clear();
            return;
        }
        if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
            if (!list.length) { return; }
            ev.preventDefault();
            ev.stopImmediatePropagation();
            const i = inList ? list.indexOf(t) : -1;
            if (ev.key === "ArrowDown") {
                list[Math.min(i + 1, list.length - 1)].focus();
            } else if (i <= 0) {
                input().focus();
            } else {
                list[i - 1].focus();
            }
            return;
        }
        if (ev.key === "Enter" && !ev.isComposing) {
            if (inList) {
                ev.preventDefault();
                ev.stopImmediatePropagation();
                open(t);
            } else if (list.length && state.q !== null && t.value.trim() === state.q) {
                /* the results of this text are shown: Enter opens the first (else Enter searches now) */
                ev.preventDefault();
                open(list[0]);
            }
        }
    });

    window.dash_clientside = Object.assign({}, window.dash_clientside, {
        wbs: {
            /* the box's words once typing pauses: a promise that resolves after the pause, to nothing when
             * another key came meanwhile */
            debounce: function (value) {
                state.typed += 1;
                const mine = state.typed;
                return new Promise(function (resolve) {
                    setTimeout(function () {
                        resolve(mine === state.typed ? (value || "") : window.dash_clientside.no_update);
                    }, PAUSE_MS);
                });
            },
            /* draw the results from their Store, fit the map on them when the words changed */
            draw: function (payload, view) {
                const box = document.getElementById("wbs-list");
                const status = document.getElementById("wbs-status");
                busy(false);
                if (!box || !payload) { return noUpdate(); }
                const changed = payload.q !== state.q;
                state.q = payload.q;
                state.rows = {};
                const frag = document.createDocumentFragment();
                (payload.rows || []).forEach(function (r) {
                    state.rows[String(r.id)] = r;
                    frag.appendChild(row(r, payload.strings));
                });
                box.replaceChildren(frag);
                box.classList.toggle("has-rows", (payload.rows || []).length > 0);
                if (status) {
                    status.textContent = payload.status || "";
                    status.classList.toggle("is-empty", !!payload.empty);
                    if (payload.rows && payload.rows.length && payload.strings) {
                        status.appendChild(el("span", "wbs-hint", payload.strings.hint));
                    }
                }
                if (changed) { fit(payload.rows || [], view); }
                return (payload.rows || []).length;
            },
            pinClick: function (f) {
                if (!f || !f.properties || !f.geometry) { return noUpdate(); }
                const c = f.geometry.coordinates;
                return {id: f.properties.id, ll: [c[1], c[0]], src: "pin", ts: Date.now()};
            },
            mark: function (sel) {
                state.selected = sel ? sel.id : null;
                rows().forEach(function (b) {
                    const on = b.dataset.id === String(state.selected);
                    b.classList.toggle("is-sel", on);
                    b.setAttribute("aria-selected", on ? "true" : "false");
                });
                return state.selected;
            },
        },
    });
})();
