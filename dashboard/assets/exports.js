/* The workbench's 导出 Export menu (dashboard/components/exports.py): a click on CSV / Excel / GeoJSON downloads
 * the file with fetch, reading its stream, and moves the progress bar as rows arrive (lines counted against the
 * X-Total-Rows header; Content-Length when the response has one, else the megabytes so far for Excel), then hands the file to the
 * browser. A refusal (400: the filter; 403; 401) shows the server's message, in the page's language. */
(function () {
    "use strict";
    let words = {};
    let busy = false;

    window.dash_clientside = Object.assign({}, window.dash_clientside, {
        exp: {
            strings: function (data) {
                words = data || {};
                return null;
            },
        },
    });

    function say(key, values) {
        let text = words[key] || "";
        Object.keys(values || {}).forEach(function (k) { text = text.split("{" + k + "}").join(values[k]); });
        return text;
    }

    function fileName(resp, fmt) {
        const cd = resp.headers.get("Content-Disposition") || "";
        const m = /filename="([^"]+)"/.exec(cd);
        return m ? m[1] : "guiyang-cases." + fmt;
    }

    async function download(link) {
        const bar = document.getElementById("exp-progress");
        const status = document.getElementById("exp-status");
        const fmt = link.dataset.fmt;
        busy = true;
        bar.hidden = false;
        bar.removeAttribute("value");  // indeterminate until the first bytes
        status.textContent = say("preparing");
        try {
            const resp = await fetch(link.href, {credentials: "same-origin"});
            if (!resp.ok) {
                let why = String(resp.status);
                try { why = (await resp.json()).message || why; } catch (e) { /* not JSON */ }
                throw new Error(why);
            }
            const total = Number(resp.headers.get("X-Total-Rows") || 0);
            const length = Number(resp.headers.get("Content-Length") || 0);
            const reader = resp.body.getReader();
            const chunks = [];
            let bytes = 0;
            let lines = 0;
            for (;;) {
                const part = await reader.read();
                if (part.done) { break; }
                const value = part.value;
                chunks.push(value);
                bytes += value.length;
                let share = null;
                if (length) {
                    share = bytes / length;
                    status.textContent = say("progress_bytes", {mb: (bytes / 1048576).toFixed(1)});
                } else if (fmt === "xlsx") {  // compressed on the way: no length, and no lines to count
                    status.textContent = say("progress_bytes", {mb: (bytes / 1048576).toFixed(1)});
                } else {
                    for (let i = 0; i < value.length; i++) { if (value[i] === 10) { lines++; } }
                    const rows = Math.max(0, Math.min(lines - 1, total));  // the first line is the header
                    share = total ? Math.min(rows / total, 0.99) : 0;
                    status.textContent = say("progress", {done: rows.toLocaleString(), total: total.toLocaleString()});
                }
                if (share !== null) { bar.value = Math.round(share * 100); }
            }
            const blob = new Blob(chunks, {type: resp.headers.get("Content-Type") || "application/octet-stream"});
            const a = document.createElement("a");
            a.href = URL.createObjectURL(blob);
            a.download = fileName(resp, fmt);
            document.body.appendChild(a);
            a.click();
            a.remove();
            setTimeout(function () { URL.revokeObjectURL(a.href); }, 60000);
            bar.value = 100;
            status.textContent = say("done", {n: total.toLocaleString()});
        } catch (err) {
            bar.hidden = true;
            status.textContent = say("failed", {why: err.message});
        } finally {
            busy = false;
        }
    }

    document.addEventListener("click", function (event) {
        const link = event.target.closest && event.target.closest("a.exp-link");
        if (!link) { return; }
        event.preventDefault();
        const href = link.getAttribute("href");
        if (busy || !href || href === "#" || link.classList.contains("exp-off")) { return; }
        download(link);
    });
}());
