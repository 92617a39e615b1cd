/* /admin/partners: the removal's confirmation takes the keyboard — when it opens, 取消 (the safe choice) has the focus;
   Escape cancels it. */
(function () {
    function confirmPanel() {
        return document.getElementById("prt-confirm");
    }
    document.addEventListener("keydown", function (e) {
        const panel = confirmPanel();
        if (e.key === "Escape" && panel && !panel.hidden) {
            const no = document.getElementById("prt-confirm-no");
            if (no) no.click();
        }
    });
    let wasOpen = false;
    new MutationObserver(function () {
        const panel = confirmPanel();
        const open = !!panel && !panel.hidden;
        if (open && !wasOpen) {
            const no = document.getElementById("prt-confirm-no");
            if (no) no.focus();
        }
        wasOpen = open;
    }).observe(document.documentElement, {subtree: true, attributes: true, attributeFilter: ["hidden"]});
})();
