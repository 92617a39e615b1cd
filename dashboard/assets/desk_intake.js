/* 新建案件 on the workbench (dashboard/components/desk_intake.py): the panel opens and closes in the browser,
 * the chosen place's marker can be dragged. Referenced from Python as Namespace("di", "map") and
 * ClientsideFunction("di", ...). */
(function () {
    "use strict";
    function round6(x) { return Math.round(x * 1e6) / 1e6; }

    window.di = Object.assign({}, window.di, {
        map: {
            /* the dragged marker's position becomes the chosen place */
            dragEnd: function (e) {
                const ll = e.target.getLatLng();
                window.dash_clientside.set_props("di-pos", {data: [round6(ll.lat), round6(ll.lng)]});
            },
        },
    });
    window.dash_clientside = Object.assign({}, window.dash_clientside);
    window.dash_clientside.di = Object.assign({}, window.dash_clientside.di, {
        /* open / close the panel; opening moves the keyboard focus to its first field */
        toggle: function (openClicks, closeClicks, cancelClicks, hidden) {
            const trig = (window.dash_clientside.callback_context.triggered || []).filter(function (x) {
                return x.value;
            });
            if (!trig.length) { return window.dash_clientside.no_update; }
            const opening = trig[0].prop_id.indexOf("di-open") === 0;
            if (opening) {
                setTimeout(function () {
                    const first = document.querySelector("#di-panel input, #di-panel textarea, #di-panel button");
                    if (first) { first.focus(); }
                }, 50);
                document.body.classList.add("di-picking");
                return false;
            }
            document.body.classList.remove("di-picking");
            const opener = document.getElementById("di-open");
            if (opener) { setTimeout(function () { opener.focus(); }, 0); }
            return true;
        },
    });

    /* Escape closes the panel (when the focus is inside it) */
    document.addEventListener("keydown", function (ev) {
        if (ev.key !== "Escape") { return; }
        const panel = document.getElementById("di-panel");
        if (!panel || panel.hidden || !panel.contains(document.activeElement)) { return; }
        if (document.querySelector(".mantine-Select-dropdown, .mantine-Combobox-dropdown")) { return; }
        const close = document.getElementById("di-close");
        if (close) { close.click(); }
    });
})();
