/* The workbench in the browser: pins and clusters coloured by light, the selection shared by the queue and the
 * map, live countdowns, and keyboard moves through the queue. Referenced from Python as Namespace("wb", "map")
 * and ClientsideFunction("wb", ...). */
(function () {
    "use strict";
    const COLORS = {green: "#2f9e44", yellow: "#f08c00", red: "#e03131", none: "#868e96"};
    const RANK = {none: 0, green: 1, yellow: 2, red: 3};

    window.wb = Object.assign({}, window.wb, {
        map: {
            /* one case: a dot in its light's colour; urgent cases bigger with a dark ring */
            pin: function (feature, latlng) {
                const p = feature.properties;
                const marker = L.circleMarker(latlng, {
                    radius: p.u ? 9 : 7,
                    color: p.u ? "#5c0011" : "#ffffff",
                    weight: p.u ? 2.5 : 1.5,
                    fillColor: COLORS[p.l] || COLORS.none,
                    fillOpacity: 0.95,
                    className: "wb-pin wb-pin-" + p.id,
                });
                marker.bindTooltip(p.t, {direction: "top", offset: [0, -6]});
                return marker;
            },
            /* a cluster: its count, outlined in the worst light among its cases */
            cluster: function (feature, latlng, index) {
                const props = feature.properties;
                let worst = "none";
                try {
                    const leaves = index.getLeaves(props.cluster_id, Infinity);
                    for (let i = 0; i < leaves.length && worst !== "red"; i++) {
                        const l = leaves[i].properties.l;
                        if ((RANK[l] || 0) > RANK[worst]) { worst = l; }
                    }
                } catch (e) { /* keep "none" */ }
                const n = props.point_count;
                const size = n < 10 ? 30 : n < 100 ? 36 : n < 1000 ? 44 : 52;
                const icon = L.divIcon({
                    html: "<div><span>" + props.point_count_abbreviated + "</span></div>",
                    className: "wb-cluster wb-cl-" + worst,
                    iconSize: L.point(size, size),
                });
                return L.marker(latlng, {icon: icon});
            },
        },
    });

    const noUpdate = function () { return window.dash_clientside.no_update; };
    const state = {rows: {}, selected: null};

    function el(tag, cls, text) {
        const node = document.createElement(tag);
        if (cls) { node.className = cls; }
        if (text !== undefined && text !== null) { node.textContent = text; }
        return node;
    }

    /* one queue row; text only through textContent (addresses and names are data, never markup) */
    function row(r, s) {
        const b = el("button", "wb-row" + (r.id === state.selected ? " is-sel" : ""));
        b.type = "button";
        b.setAttribute("role", "option");
        b.setAttribute("aria-selected", r.id === state.selected ? "true" : "false");
        b.dataset.id = String(r.id);
        b.appendChild(el("span", "wb-dot wb-l-" + r.l));
        const main = el("span", "wb-row-main");
        const top = el("span", "wb-row-top");
        top.appendChild(el("b", null, r.t));
        top.appendChild(el("span", "wb-badge wb-st-" + r.s, s.status[r.s] || r.s));
        if (r.u) { top.appendChild(el("span", "wb-tag wb-tag-urgent", s.urgent)); }
        if (r.e) { top.appendChild(el("span", "wb-tag", s.escalated)); }
        if (r.r) { top.appendChild(el("span", "wb-tag wb-tag-pending", s.pending)); }
        main.appendChild(top);
        main.appendChild(el("span", "wb-row-sub", r.c + " · " + r.d));
        main.appendChild(el("span", "wb-row-addr", r.a));
        b.appendChild(main);
        const cd = el("span", "wb-cd wb-l-" + r.l, r.dl ? null : s.none);
        if (r.dl) {
            cd.dataset.deadline = r.dl;
            cd.dataset.yellow = r.ye;
            cd.dataset.l = s.left;
            cd.dataset.o = s.over;
            cd.dataset.d = s.day;
            if (r.p) { cd.dataset.paused = s.paused; }
        }
        b.appendChild(cd);
        return b;
    }

    function selectRow(button) {
        const r = state.rows[button.dataset.id];
        if (!r) { return; }
        window.dash_clientside.set_props("wb-selected", {data: {id: r.id, ll: r.ll, src: "row", ts: Date.now()}});
    }

    document.addEventListener("click", function (ev) {
        const button = ev.target && ev.target.closest ? ev.target.closest("#wb-queue .wb-row") : null;
        if (button) { selectRow(button); }
    });

    window.dash_clientside = Object.assign({}, window.dash_clientside, {
        wb: {
            /* draw the queue from its data (a Store): one Dash component instead of hundreds */
            queue: function (payload) {
                const box = document.getElementById("wb-queue");
                if (!box || !payload) { return noUpdate(); }
                state.rows = {};
                const frag = document.createDocumentFragment();
                payload.rows.forEach(function (r) {
                    state.rows[String(r.id)] = r;
                    frag.appendChild(row(r, payload.strings));
                });
                if (!payload.rows.length) { frag.appendChild(el("div", "wb-empty", payload.strings.empty)); }
                box.replaceChildren(frag);
                return payload.rows.length;
            },
            /* a pin, a duplicate in the card, or the card's close button (queue rows: selectRow) */
            select: function (clickData, dupClicks, closeClicks) {
                const trig = (window.dash_clientside.callback_context.triggered || []).filter(function (x) {
                    return x.value;
                });
                if (!trig.length) { return noUpdate(); }
                const pid = trig[0].prop_id;
                const key = pid.slice(0, pid.lastIndexOf("."));
                if (key === "wb-card-close") { return null; }
                if (key === "wb-pins") {
                    const f = clickData;
                    if (!f || !f.properties || f.properties.cluster) { return noUpdate(); }
                    const c = f.geometry.coordinates;
                    return {id: f.properties.id, ll: [c[1], c[0]], src: "pin", ts: Date.now()};
                }
                let parsed;
                try { parsed = JSON.parse(key); } catch (e) { return noUpdate(); }
                const known = state.rows[String(parsed.id)];
                return {id: parsed.id, ll: known ? known.ll : null, src: "dup", ts: Date.now()};
            },
            /* picked in the list: fly there, close enough that the pin is out of its cluster */
            flyTo: function (sel, zoom) {
                if (!sel || !sel.ll || sel.src === "pin") { return noUpdate(); }
                return {center: sel.ll, zoom: Math.max(zoom || 0, 17), transition: "flyTo"};
            },
            /* the selected case's row, marked (and scrolled to when it was picked on the map) */
            markRow: function (sel) {
                state.selected = sel ? sel.id : null;
                let marked = null;
                document.querySelectorAll("#wb-queue .wb-row").forEach(function (b) {
                    const on = b.dataset.id === String(state.selected);
                    b.classList.toggle("is-sel", on);
                    b.setAttribute("aria-selected", on ? "true" : "false");
                    if (on) { marked = b; }
                });
                if (marked && sel.src !== "row") { marked.scrollIntoView({block: "nearest"}); }
                return state.selected;
            },
        },
    });

    /* countdowns: <span class="wb-cd" data-deadline data-yellow data-l="剩余 {t}" data-o data-d [data-paused]> */
    function span(ms, day) {
        const s = Math.floor(Math.abs(ms) / 1000);
        const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600);
        const m = Math.floor((s % 3600) / 60), sec = s % 60;
        const pad = function (x) { return String(x).padStart(2, "0"); };
        return d ? d + day + " " + pad(h) + ":" + pad(m) : pad(h) + ":" + pad(m) + ":" + pad(sec);
    }

    function tick() {
        const now = Date.now();
        document.querySelectorAll(".wb-cd[data-deadline]").forEach(function (el) {
            const ds = el.dataset;
            let text;
            if (ds.paused) {
                text = ds.paused;
            } else {
                const deadline = Date.parse(ds.deadline), yellow = Date.parse(ds.yellow);
                const left = deadline - now;
                text = (left >= 0 ? ds.l : ds.o).replace("{t}", span(left, ds.d));
                const cls = "wb-cd wb-l-" + (now > deadline ? "red" : now >= yellow ? "yellow" : "green");
                if (el.className !== cls) { el.className = cls; }
            }
            if (el.textContent !== text) { el.textContent = text; }
        });
    }

    let pending = false;
    function soon() {
        if (!pending) {
            pending = true;
            window.requestAnimationFrame(function () { pending = false; tick(); });
        }
    }

    function start() {
        setInterval(tick, 1000);
        new MutationObserver(soon).observe(document.body, {childList: true, subtree: true});
        tick();
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", start);
    } else {
        start();
    }

    /* the case card's actions, one at a time: a chooser button opens ITS form only (and focuses its first
     * field), Cancel or Escape closes it, Enter in a field submits it (Ctrl+Enter in a text area) */
    function panels() { return document.querySelectorAll("#wb-card-actions .wb-act-panel"); }

    function openForm(name) {
        let opened = null;
        panels().forEach(function (p) {
            const on = p.dataset.a === name;
            p.hidden = !on;
            if (on) { opened = p; }
        });
        document.querySelectorAll("#wb-card-actions .wb-choose-btn").forEach(function (b) {
            const on = b.dataset.a === name;
            b.setAttribute("aria-pressed", on ? "true" : "false");
            b.classList.toggle("is-on", on);
        });
        if (opened) {
            setTimeout(function () {
                /* a text field, else the confirm button: a searchable select would open its list on focus and
                 * cover the buttons (it is one Tab away) */
                const first = opened.querySelector(
                    "input:not([type=hidden]):not([disabled]):not([aria-haspopup]), textarea, .wb-act-btn");
                if (first) { first.focus(); }
            }, 0);
        }
    }

    function closeForm(panel) {
        const name = panel.dataset.a;
        panel.hidden = true;
        const chooser = document.querySelector('#wb-card-actions .wb-choose-btn[data-a="' + name + '"]');
        if (chooser) {
            chooser.setAttribute("aria-pressed", "false");
            chooser.classList.remove("is-on");
            chooser.focus();
        }
    }

    document.addEventListener("click", function (ev) {
        const t = ev.target && ev.target.closest ? ev.target : null;
        if (!t) { return; }
        const choose = t.closest("#wb-card-actions .wb-choose-btn");
        if (choose) { openForm(choose.dataset.a); return; }
        const cancel = t.closest("#wb-card-actions .wb-act-cancel");
        if (cancel) { closeForm(cancel.closest(".wb-act-panel")); }
    });

    /* keyboard: arrows move through the queue, Escape closes the open action form, else the case card */
    document.addEventListener("keydown", function (ev) {
        const el = ev.target;
        const panel = el && el.closest ? el.closest("#wb-card-actions .wb-act-panel") : null;
        if (panel) {
            const listOpen = el.getAttribute && el.getAttribute("aria-expanded") === "true";
            if (ev.key === "Escape" && !listOpen) {
                ev.preventDefault();
                ev.stopPropagation();
                closeForm(panel);
                return;
            }
            const area = el.tagName === "TEXTAREA";
            if (ev.key === "Enter" && !listOpen && !ev.isComposing && el.tagName !== "BUTTON"
                && (!area || ev.ctrlKey || ev.metaKey)) {
                ev.preventDefault();
                const submit = panel.querySelector(".wb-act-btn");
                if (submit) { submit.click(); }
            }
            return;
        }
        if (ev.key === "Escape" && document.getElementById("wb-card") && !document.getElementById("wb-card").hidden) {
            const tag = (el && el.tagName) || "";
            if (tag !== "INPUT" && tag !== "TEXTAREA") {
                document.getElementById("wb-card-close").click();
            }
            return;
        }
        if (!el || !el.classList || !el.classList.contains("wb-row")) { return; }
        let next = null;
        if (ev.key === "ArrowDown") { next = el.nextElementSibling; }
        if (ev.key === "ArrowUp") { next = el.previousElementSibling; }
        if (next && next.classList.contains("wb-row")) {
            ev.preventDefault();
            next.focus();
        }
    });
})();
