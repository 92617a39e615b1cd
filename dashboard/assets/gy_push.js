/* The push client of a page (the workbench): ONE EventSource on /push/events per page, for every script on it.
 *
 * A page opts in with one element carrying `data-gy-push-bell="<store id>"` (the doorbell dcc.Store a Dash
 * callback catches up from) and `data-gy-push-state="<store id>"` (the connection state: "connecting", "open",
 * "offline"); dashboard/components/wb_live.py draws it. The wall keeps its own client (wall.js).
 *
 * Every SSE event received is re-broadcast on `window` as
 *     new CustomEvent("gy-push", {detail: {event: "<sse event name>", data: <parsed JSON or null>}})
 * so other scripts (alarms) listen without opening a second stream: `window.addEventListener("gy-push", fn)`.
 * An event name this client does not know yet is added with `window.gyPush.listen(name)`.
 *
 * The doorbell: Dash drops the answer of a callback that is triggered again before it returns, so the bell rings
 * once, then waits until that catch-up has landed (the page's cursor store changed and called `settled`, or 800
 * ms passed) and rings again with the last doorbell if more arrived meanwhile (doorbells come in commit order:
 * the last one stands for all). A doorbell whose transaction the page's snapshot (its cursor) holds already rings
 * nothing (gy.snapshot.sees in gy.js, the rule of db/snapshots.py). After a lost connection the first
 * doorbell carries `resync: true` (the page re-reads what it shows once: the safety net for anything missed).
 * The browser reconnects by itself after a drop (the server sends retry: 1000); a closed stream (HTTP error) or
 * one silent for 45 s (pings come every 15 s) is reopened with backoff.
 *
 * A page whose marker also names a feed (`data-gy-push-feed="workbench"`, with `data-gy-push-cursor`,
 * `-changed` and `-slow`: its cursor, refresh-hook and heatmap stores) asks the stream for it (dashboard/feeds.py):
 * each commit then comes as a `delta` of the cases in the user's reach that changed and those someone else
 * changed. A delta that follows on from the page's cursor (it is the delta's `from`, or lies between `from` and
 * `to`: gy.snapshot.covers) is merged with no request, as the page's catch-up callback (callbacks/wb_live.py)
 * would answer: the cursor store moves to `to`, the refresh hook is bumped when cases changed, the heatmap's at
 * most once a minute; any other delta rings as a doorbell. Deltas that come while a catch-up (or the re-reads
 * it started) is under way are merged once it has landed, if they follow on. */
(function () {
    "use strict";
    const PUSH_URL = "/push/events", SETTLE_MS = 800, SILENT_MS = 45000;
    const names = new Set(["hello", "doorbell", "delta", "alerts", "ping", "alarm", "message"]);
    let es = null, retry = null, watchdog = null, backoff = 1000, page = null, conn = "connecting";
    let rings = 0, inflight = null, pending = null, cursorNow = null, lost = false, resync = false;
    let deltas = [], slowAt = Date.now();  // the feed's deltas waiting for a catch-up to land; the heatmap's read
    const BACKLOG = 8, SLOW_MS = 60000;  // callbacks/wb_live.py SLOW_SECONDS
    // the page's cursor holds the doorbell's transaction already (gy.snapshot.sees, the rule of db/snapshots.py)
    const holds = (bell) => cursorNow !== null && window.gy.snapshot.sees(bell.x, cursorNow);
    // a delta this page can merge (gy.snapshot.follows: its cursor is the delta's start, or between start and end)
    const follows = (d) => cursorNow !== null && window.gy.snapshot.follows(d, cursorNow);

    function setProps(id, props) {
        const dc = window.dash_clientside;
        if (id && dc && dc.set_props) {
            try { dc.set_props(id, props); } catch (err) { /* layout not mounted yet */ }
        }
    }
    function marker() { return document.querySelector("[data-gy-push-bell]"); }
    function state(s) {
        conn = s;
        if (page) { setProps(page.state, {data: s}); }
    }
    function broadcast(name, raw) {
        let data = null;
        try { data = raw ? JSON.parse(raw) : null; } catch (err) { data = raw; }
        window.dispatchEvent(new CustomEvent("gy-push", {detail: {event: name, data: data}}));
        return data;
    }

    function send(bell, again) {
        rings += 1;
        inflight = setTimeout(settled, SETTLE_MS);
        setProps(page && page.bell, {data: {id: bell.id, x: bell.x, n: rings, resync: !!again}});
    }
    function ring(bell, again) {
        if (!bell || typeof bell.id !== "number" || !page) { return; }
        if (!again && !resync && holds(bell)) { return; }  // this page has it already
        if (inflight) {
            pending = bell;
            resync = resync || !!again;
            return;
        }
        send(bell, again || resync);
        resync = false;
    }
    /* merge a delta of the feed as the page's catch-up would have answered it */
    function merge(d) {
        const cases = d.delta.cases || [], others = d.delta.others || [];
        cursorNow = d.to;
        if (cases.length) {  // the refresh hook: the page's re-reads hold what comes next (wb_live.js settled)
            clearTimeout(inflight);
            inflight = setTimeout(settled, SETTLE_MS);
            setProps(page.changed, {data: {n: Date.now() + rings, cases: cases, others: others, full: false}});
        }
        setProps(page.cursor, {data: d.to});
        if (Date.now() - slowAt >= SLOW_MS) {
            slowAt = Date.now();
            setProps(page.slow, {data: {n: slowAt, at: slowAt / 1000}});
        }
    }
    function onDelta(d) {
        if (!d || typeof d.id !== "number" || !d.delta || !page) { return; }
        if (holds(d)) { return; }  // this page has it already
        if (inflight || cursorNow === null || lost || resync) {  // merged (or rung) once the catch-up has landed
            deltas = deltas.concat([d]).slice(-BACKLOG);
            ring(d, lost);
            lost = false;
        } else if (follows(d)) {
            merge(d);
        } else {
            ring(d, false);
        }
    }
    /* called by the page's clientside callback on its cursor store (or by the timer): the catch-up landed.
     * ``holdMs``: the catch-up started re-reads (the queue) that must land before the next ring, else Dash would
     * drop them on a busy city; the page calls ``release()`` when they have (or the hold runs out). */
    function settled(cursor, holdMs) {
        if (typeof cursor === "string") { cursorNow = cursor; }
        clearTimeout(inflight);
        inflight = null;
        if (holdMs > 0) { inflight = setTimeout(settled, holdMs); return; }
        const waiting = deltas;
        deltas = [];
        for (const d of waiting) {
            if (inflight) { deltas.push(d); continue; }  // a merge bumped the refresh hook: wait for its re-reads
            if (!resync && !holds(d) && follows(d)) { merge(d); }
        }
        if (inflight) { return; }
        if (pending !== null && !resync && holds(pending)) { pending = null; }
        if (pending !== null) {
            const bell = pending, again = resync;
            pending = null;
            resync = false;
            send(bell, again);
        }
    }

    function kick() {
        clearTimeout(watchdog);
        watchdog = setTimeout(() => { state("connecting"); schedule(); }, SILENT_MS);
    }
    function close() {
        if (es) { es.close(); es = null; }
        clearTimeout(watchdog);
    }
    function schedule() {
        close();
        lost = true;
        if (retry) { return; }
        retry = setTimeout(() => { retry = null; open(); }, backoff);
        backoff = Math.min(backoff * 2, 30000);
    }
    function handler(name) {
        return (e) => {
            if (e.target !== es) { return; }  // a stream already replaced
            const data = broadcast(name, e.data);
            kick();
            if (name === "doorbell" && data && typeof data.id === "number") {
                const again = lost;
                lost = false;
                ring(data, again);
            } else if (name === "delta") {
                onDelta(data);
            }
        };
    }
    function listen(name) {
        if (!names.has(name)) {
            names.add(name);
            if (es) { es.addEventListener(name, handler(name)); }
        }
    }
    function open() {
        close();
        if (!page) { return; }
        const src = new EventSource(page.feed ? PUSH_URL + "?feed=" + encodeURIComponent(page.feed) : PUSH_URL);
        es = src;
        names.forEach((name) => src.addEventListener(name, handler(name)));
        src.addEventListener("open", () => { backoff = 1000; state("open"); kick(); });
        kick();
        src.addEventListener("error", () => {
            if (src !== es) { return; }
            lost = true;
            if (src.readyState === EventSource.CLOSED) { state("offline"); schedule(); } else { state("connecting"); }
        });
    }
    /* the page's layout comes and goes (Dash pages): follow its marker */
    function follow() {
        const el = marker();
        const attr = (name) => el.getAttribute("data-gy-push-" + name);
        const want = el ? {el: el, bell: attr("bell"), state: attr("state"), feed: attr("feed"),
            cursor: attr("cursor"), changed: attr("changed"), slow: attr("slow")} : null;
        if (want && page && page.el === el) {
            if (!es && !retry) { open(); }
            return;
        }
        if (page || es) {  // left the page (or a new layout of it): start afresh
            close();
            clearTimeout(retry);
            clearTimeout(inflight);
            retry = inflight = null;
            pending = cursorNow = null;
            lost = resync = false;
            deltas = [];
        }
        page = want;
        if (page) { open(); }
    }

    window.gyPush = {
        settled: settled,
        release: () => { if (inflight) { settled(); } },
        listen: listen,
        connection: () => conn,
        readyState: () => (es ? es.readyState : -1),
    };
    setInterval(follow, 500);
    document.addEventListener("DOMContentLoaded", follow);
})();
