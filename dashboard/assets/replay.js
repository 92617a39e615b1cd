/* Case replay (案件回放) on the workbench: plays the frames of dashboard/callbacks/replay.py in the browser.
 * requestAnimationFrame moves a playback clock (seconds at 1× × the speed); the frame shown is the last one at or
 * before it. Each case's marker appears with its first event and takes the colour of its status; the current
 * event's case is drawn larger. The clock, scrubber and label are plain DOM written here (Dash never re-renders
 * them), so playback costs no server round trip. Referenced from Python as Namespace("gyReplay", "map"). */
(function () {
    "use strict";
    const COLORS = {reported: "#868e96", filed: "#1c7ed6", dispatched: "#f08c00", in_progress: "#e8590c",
        handled: "#7048e8", suspended: "#495057", closed: "#2f9e44", rejected: "#c92a2a", merged: "#adb5bd"};
    const S = {frames: [], duration: 0, texts: {}, markers: {}, status: {}, k: -1, t: 0, playing: false,
        speed: 1, last: 0, current: null};

    function $(id) { return document.getElementById(id); }

    function styleFor(id) {
        const s = S.status[id];
        if (!s) { return {radius: 7, opacity: 0, fillOpacity: 0, interactive: false}; }
        const on = id === S.current;
        return {radius: on ? 12 : 7, color: on ? "#111" : "#fff", weight: on ? 3 : 1.5, opacity: 1,
            fillColor: COLORS[s] || "#868e96", fillOpacity: 0.92};
    }

    function paint(id) {
        const m = S.markers[id];
        if (m) { m.setStyle(styleFor(id)); if (id === S.current) { m.bringToFront(); } }
    }

    function frameAt(t) {
        let lo = 0, hi = S.frames.length - 1, k = -1;
        while (lo <= hi) {
            const mid = (lo + hi) >> 1;
            if (S.frames[mid].t <= t) { k = mid; lo = mid + 1; } else { hi = mid - 1; }
        }
        return k;
    }

    function show(k) {
        if (k === S.k) { return; }
        const before = S.current;
        const step = k === S.k + 1 && k >= 0;
        if (step) {  // one step on: fold one event
            S.status[S.frames[k].c] = S.frames[k].s;
        } else {  // a jump (scrubber, restart): fold from the start
            S.status = {};
            for (let i = 0; i <= k; i++) { S.status[S.frames[i].c] = S.frames[i].s; }
        }
        S.k = k;
        S.current = k >= 0 ? S.frames[k].c : null;
        if (step) {  // only the case that moved and the one that was current change
            if (before !== null) { paint(before); }
            paint(S.current);
        } else {
            Object.keys(S.markers).forEach((id) => paint(Number(id)));
        }
        const label = $("rp-label");
        if (label) {
            label.setAttribute("data-frame", String(k));
            if (k < 0) { label.textContent = ""; } else {
                const f = S.frames[k];
                const counter = (S.texts.step || "{k}/{n}").replace("{k}", k + 1).replace("{n}", S.frames.length);
                label.textContent = f.at + " · " + f.tk + " · " + f.a + " → " + f.sl + " · " + (S.texts.by || "") +
                    " " + f.who + " · " + counter;
                label.style.borderLeftColor = COLORS[f.s] || "#868e96";
            }
        }
    }

    function syncControls() {
        const scrub = $("rp-scrub-input");
        if (scrub) { scrub.value = String(S.t); }
        const clock = $("rp-clock");
        if (clock) { clock.textContent = S.t.toFixed(1) + " / " + S.duration.toFixed(1) + " s"; }
        const play = $("rp-play");
        if (play) {
            play.textContent = S.playing ? S.texts.pause : S.texts.play;
            play.setAttribute("data-playing", S.playing ? "1" : "0");
        }
    }

    function tick(now) {
        if (!S.playing) { return; }
        const dt = Math.min(0.25, (now - S.last) / 1000);
        S.last = now;
        S.t = Math.min(S.duration, S.t + dt * S.speed);
        show(frameAt(S.t));
        if (S.t >= S.duration) { S.playing = false; }
        syncControls();
        if (S.playing) { window.requestAnimationFrame(tick); }
    }

    function play() {
        if (!S.frames.length) { return; }
        if (S.t >= S.duration) { S.t = 0; show(-1); }
        S.playing = true;
        S.last = performance.now();
        syncControls();
        window.requestAnimationFrame(tick);
    }

    function pause() { S.playing = false; syncControls(); }

    document.addEventListener("click", function (ev) {
        const el = ev.target.closest ? ev.target.closest("#rp-play, .rp-speed") : null;
        if (!el) { return; }
        if (el.id === "rp-play") { if (S.playing) { pause(); } else { play(); } return; }
        S.speed = Number(el.getAttribute("data-speed")) || 1;
        document.querySelectorAll(".rp-speed").forEach((b) => b.classList.toggle("is-on", b === el));
    });
    document.addEventListener("input", function (ev) {
        if (!ev.target || ev.target.id !== "rp-scrub-input") { return; }
        S.t = Number(ev.target.value) || 0;
        show(frameAt(S.t));
        syncControls();
    });

    window.gyReplay = Object.assign({}, window.gyReplay, {
        /* a new replay (or none): reset, build the scrubber, show the first event; the cases go to the layer */
        load: function (data) {
            S.playing = false;
            S.markers = {};
            S.status = {};
            S.k = -1;
            S.current = null;
            S.frames = (data && data.frames) || [];
            S.duration = (data && data.duration) || 0;
            S.texts = (data && data.texts) || {};
            S.t = S.frames.length ? S.frames[0].t : 0;
            const host = $("rp-scrub");
            if (host) {
                host.innerHTML = "";
                const input = document.createElement("input");
                input.type = "range";
                input.id = "rp-scrub-input";
                input.min = "0";
                input.max = String(S.duration);
                input.step = "0.01";
                input.setAttribute("aria-label", "timeline");
                host.appendChild(input);
            }
            const legend = $("rp-legend");
            if (legend) {  // the colours of the statuses this replay passes through
                legend.innerHTML = "";
                const seen = [];
                S.frames.forEach((f) => { if (seen.indexOf(f.s) < 0) { seen.push(f.s); } });
                seen.forEach((s) => {
                    const item = document.createElement("span");
                    const dot = document.createElement("i");
                    dot.style.background = COLORS[s] || "#868e96";
                    item.appendChild(dot);
                    item.appendChild(document.createTextNode(((S.texts.statuses || {})[s]) || s));
                    legend.appendChild(item);
                });
            }
            show(frameAt(S.t));
            syncControls();
            return (data && data.cases) || {type: "FeatureCollection", features: []};
        },
        state: function () { return {k: S.k, t: S.t, playing: S.playing, speed: S.speed, shown: Object.keys(S.status).length}; },
        map: {
            point: function (feature, latlng) {
                const id = feature.properties.id;
                const marker = L.circleMarker(latlng, Object.assign({className: "rp-marker rp-case-" + id}, styleFor(id)));
                marker.bindTooltip(feature.properties.tk, {direction: "top", offset: [0, -8]});
                S.markers[id] = marker;
                return marker;
            },
        },
    });
}());
