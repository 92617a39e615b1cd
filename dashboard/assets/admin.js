/* Confirmations (removing a route, a key, a subscription; deactivating a user...): a panel whose id ends in
   "-confirm", with its safe choice "<id>-no" (取消). When it opens, 取消 has the focus; Escape cancels it. */
(function () {
    function openPanels() {
        return Array.from(document.querySelectorAll('[id$="-confirm"]')).filter(function (p) { return !p.hidden; });
    }
    function safeChoice(panel) {
        return document.getElementById(panel.id + "-no");
    }
    document.addEventListener("keydown", function (e) {
        if (e.key !== "Escape") return;
        openPanels().forEach(function (panel) {
            const no = safeChoice(panel);
            if (no) no.click();
        });
    });
    let wasOpen = new Set();
    new MutationObserver(function () {
        const now = new Set(openPanels().map(function (p) { return p.id; }));
        now.forEach(function (id) {
            if (!wasOpen.has(id)) {
                const no = document.getElementById(id + "-no");
                if (no) no.focus();
            }
        });
        wasOpen = now;
    }).observe(document.documentElement, {subtree: true, attributes: true, attributeFilter: ["hidden"]});
})();
