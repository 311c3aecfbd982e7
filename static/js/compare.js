/* Compare: the "Vergelijk" toggles on practice pages and cards, and the
   "Vergelijk (N)" bar (templates/includes/compare_toggle.html and
   compare_bar.html; the page is explore/compare.py).

   The choice is kept in a small cookie ("vergelijk=12-34", ids only) that the
   server reads as well: without this script each toggle is a link to
   /vergelijk/?voeg_toe=<id> that adds to the same cookie. Pages stay cached
   for everyone; nothing here is in the session. With the script each toggle
   becomes a button with aria-pressed, every toggle of the same practice on
   the page follows it, and the bar links to /vergelijk/?ids=… . On the
   comparison page itself the address is what counts: the cookie is set to
   what it shows. */
(function () {
    "use strict";

    var COOKIE = "vergelijk";
    var SEPARATOR = "-";

    function read() {
        var match = document.cookie.match(/(?:^|;\s*)vergelijk=([0-9-]*)/);
        if (!match || !match[1]) {
            return [];
        }
        return match[1].split(SEPARATOR).filter(function (id, index, all) {
            return /^[0-9]+$/.test(id) && all.indexOf(id) === index;
        });
    }

    function write(ids) {
        var secure = window.location.protocol === "https:" ? "; Secure" : "";
        var value = ids.join(SEPARATOR);
        var age = ids.length ? "" : "; Max-Age=0";
        document.cookie = COOKIE + "=" + value + "; Path=/; SameSite=Lax" + age + secure;
    }

    var bar = document.querySelector("[data-compare-bar]");
    var status = document.querySelector("[data-compare-status]");
    var max = bar ? parseInt(bar.getAttribute("data-compare-max"), 10) || 4 : 4;
    var hint = bar ? bar.querySelector("[data-compare-hint]") : null;
    var oneMore = hint ? hint.textContent : "";

    function announce(text) {
        if (!status) {
            return;
        }
        // A new text node, so the same message is read out again.
        status.textContent = "";
        window.setTimeout(function () {
            status.textContent = text;
        }, 50);
    }

    function showBar(ids, message) {
        if (!bar) {
            return;
        }
        var onComparePage = document.querySelector("[data-compare-page]") !== null;
        var open = ids.length > 0 && !onComparePage;
        bar.hidden = !open;
        document.documentElement.classList.toggle("has-compare-bar", open);
        if (!open) {
            return;
        }
        bar.querySelector("[data-compare-count]").textContent = String(ids.length);
        bar.querySelector("[data-compare-link]").href =
            bar.getAttribute("data-compare-url") + "?ids=" + ids.join(",");
        if (hint) {
            hint.textContent = message || oneMore;
            hint.hidden = !message && ids.length !== 1;
        }
    }

    function mark(ids) {
        var toggles = document.querySelectorAll("button.compare-toggle[data-compare-id]");
        Array.prototype.forEach.call(toggles, function (toggle) {
            var chosen = ids.indexOf(toggle.getAttribute("data-compare-id")) !== -1;
            toggle.setAttribute("aria-pressed", chosen ? "true" : "false");
        });
    }

    function refresh(message) {
        var ids = read();
        mark(ids);
        showBar(ids, message);
    }

    function toggle(event) {
        var id = event.currentTarget.getAttribute("data-compare-id");
        var ids = read();
        var at = ids.indexOf(id);
        if (at !== -1) {
            ids.splice(at, 1);
        } else if (ids.length >= max) {
            var full = status ? status.getAttribute("data-compare-full") : "";
            showBar(ids, full);
            announce(full);
            return;
        } else {
            ids.push(id);
        }
        write(ids);
        refresh();
    }

    /* The link becomes a button with the same content: a toggle, not a
       way to another page. */
    function enhance(root) {
        var links = (root || document).querySelectorAll("a.compare-toggle[data-compare-id]");
        Array.prototype.forEach.call(links, function (link) {
            var button = document.createElement("button");
            button.type = "button";
            button.className = link.className;
            button.setAttribute("data-compare-id", link.getAttribute("data-compare-id"));
            button.setAttribute("aria-pressed", "false");
            while (link.firstChild) {
                button.appendChild(link.firstChild);
            }
            button.addEventListener("click", toggle);
            link.parentNode.replaceChild(button, link);
        });
    }

    function start() {
        var page = document.querySelector("[data-compare-page]");
        if (page) {
            // The comparison shown is the choice from now on.
            var shown = page.getAttribute("data-compare-ids");
            write(shown ? shown.split(SEPARATOR) : []);
        }
        enhance(document);
        refresh();
        if (bar) {
            bar.querySelector("[data-compare-clear]").addEventListener("click", function () {
                write([]);
                refresh();
                announce(status ? status.getAttribute("data-compare-cleared") : "");
            });
        }
        Array.prototype.forEach.call(document.querySelectorAll("[data-compare-print]"), function (button) {
            button.hidden = false;
            button.addEventListener("click", function () {
                window.print();
            });
        });
    }

    // Results htmx swapped in (the search page) bring their own toggles.
    document.addEventListener("htmx:load", function (event) {
        enhance(event.target);
        refresh();
    });
    // Back to a page from the browser's cache: the choice may have changed.
    window.addEventListener("pageshow", function (event) {
        if (event.persisted) {
            refresh();
        }
    });

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", start);
    } else {
        start();
    }
}());
