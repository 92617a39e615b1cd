/* The alarm banner's browser side (layout dashboard/components/alarms.py, ids dashboard/ids/alarms.py).
 *
 * - Push: the page's one EventSource client re-broadcasts every server-sent event as a window event
 *   "gy-push" {event, data}; an "alarm" event (an alarm raised or acknowledged) or a "hello" (the stream
 *   (re)connected: something may have been missed) writes the bell store, and the banner re-reads its alarms.
 *   The banner also re-reads on its own interval (the safety net when no push client runs on the page).
 * - Sound: the chime (assets/sounds/alarm-chime.wav, made by tools/make_chime.py) plays when an alarm the page
 *   did not show yet arrives, then every GUIYANG_ALARM_REPEAT_S seconds while any alarm is unacknowledged; it
 *   stops (and the notifications close) as soon as the open alarms are gone. Browsers refuse sound before a user
 *   gesture: when play() is refused, the "点击启用提示音" button shows; one click plays the chime, asks for the
 *   notification permission, and is remembered (a wall screen is enabled once: the button shows again only if
 *   the browser refuses again after a reload).
 * - Notifications: with the permission granted, one browser notification per new alarm (clicking it opens the
 *   case), closed on acknowledgement; the in-page banner shows in any case.
 */
(function () {
    "use strict";
    const BELL = "alm-bell", AUDIO = "alm-audio", ENABLE = "alm-enable";
    const KEY = "gy-alarm-sound";
    let ringing = new Map();  // alarm id -> {id, title, body, link}
    let loop = null, repeatMs = 30000, unlocked = false, plays = 0, refused = 0, ready = false, bells = 0;
    const notes = new Map();  // alarm id -> Notification
    let baseTitle = null;

    function setProps(id, props) {
        const dc = window.dash_clientside;
        if (dc && dc.set_props) {  // (a dcc.Store has no DOM element: do not look for one)
            try { dc.set_props(id, props); } catch (err) { /* not mounted */ }
        }
    }
    const audio = () => document.getElementById(AUDIO);
    const remembered = () => { try { return localStorage.getItem(KEY) === "on"; } catch (e) { return false; } };
    function showEnable(show) { setProps(ENABLE, {hidden: !show}); }

    function chime() {
        const a = audio();
        if (!a) { return; }
        try { a.currentTime = 0; } catch (err) { /* not loaded yet */ }
        let p;
        try { p = a.play(); } catch (err) { p = Promise.reject(err); }
        Promise.resolve(p).then(() => {
            plays += 1;
            unlocked = true;
            showEnable(false);
        }).catch(() => {
            refused += 1;
            unlocked = false;
            showEnable(true);
        });
    }

    function stop() {
        clearInterval(loop);
        loop = null;
        const a = audio();
        if (a) {
            a.pause();
            try { a.currentTime = 0; } catch (err) { /* not loaded */ }
        }
    }

    function notify(al) {
        if (!("Notification" in window) || Notification.permission !== "granted" || notes.has(al.id)) { return; }
        try {
            const n = new Notification(al.title, {body: al.body, tag: "gy-alarm-" + al.id, requireInteraction: true});
            n.onclick = () => { window.focus(); window.location.assign(al.link); n.close(); };
            notes.set(al.id, n);
        } catch (err) { /* notifications unavailable here (e.g. an insecure origin): the banner stays */ }
    }

    function retitle() {
        if (baseTitle === null) { baseTitle = document.title.replace(/^\(\d+\) 🔔 /, ""); }
        const want = ringing.size ? "(" + ringing.size + ") 🔔 " + baseTitle : baseTitle;
        if (document.title !== want) { document.title = want; }
    }

    function update(data, where) {
        const nu = window.dash_clientside.no_update;
        if (!data) { return nu; }
        if (where && where.repeat_ms) { repeatMs = where.repeat_ms; }
        if (!ready) {
            ready = true;
            if (!remembered()) { showEnable(true); }
        }
        const open = new Map((data.open || []).map((a) => [a.id, a]));
        let fresh = false;
        for (const [id, a] of open) {
            if (!ringing.has(id)) { fresh = true; notify(a); }
        }
        for (const [id, n] of notes) {
            if (!open.has(id)) { try { n.close(); } catch (err) { /* gone */ } notes.delete(id); }
        }
        ringing = open;
        retitle();
        if (!open.size) {
            stop();
            return {ringing: 0, plays: plays};
        }
        if (fresh) { chime(); }
        if (!loop) { loop = setInterval(() => { if (ringing.size) { chime(); } }, repeatMs); }
        return {ringing: open.size, plays: plays};
    }

    function enable() {
        try { localStorage.setItem(KEY, "on"); } catch (err) { /* private mode */ }
        chime();  // the gesture unlocks sound; the chime says what it will sound like
        if ("Notification" in window && Notification.permission === "default") {
            Notification.requestPermission().then(() => {
                for (const a of ringing.values()) { notify(a); }
            }).catch(() => { /* refused: the banner stays */ });
        }
    }

    document.addEventListener("click", (e) => {
        const t = e.target;
        if (t && t.closest && t.closest("#" + ENABLE)) { enable(); }
    });

    window.addEventListener("gy-push", (e) => {
        const d = (e && e.detail) || {};
        if (d.event === "alarm" || d.event === "hello") {
            bells += 1;
            setProps(BELL, {data: {event: d.event, n: bells}});
        }
    });

    window.dash_clientside = Object.assign({}, window.dash_clientside, {alarms: {update: update}});
    // for the browser tests and for a look from the console
    window.gyAlarms = {
        state: () => {
            const a = audio();
            return {ringing: Array.from(ringing.keys()), plays: plays, refused: refused, unlocked: unlocked,
                looping: !!loop, paused: a ? a.paused : null, bells: bells};
        },
        enable: enable,
    };
})();
