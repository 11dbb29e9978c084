package org.govhub.operate;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** The page an operator lands on after logging in: where everything is. */
@RestController
public class HomeController {

    /** The operator console is static (static/console/); its address without the file name. */
    @GetMapping({"/console", "/console/"})
    public org.springframework.web.servlet.view.RedirectView console() {
        return new org.springframework.web.servlet.view.RedirectView("/console/index.html");
    }

    @GetMapping(value = "/", produces = MediaType.TEXT_HTML_VALUE)
    public String home() {
        return """
                <!doctype html>
                <html lang="en"><head><meta charset="utf-8"><title>GovHub</title>
                <style>body{font-family:sans-serif;max-width:52em;margin:2em auto}li{margin:.4em 0}</style></head>
                <body>
                <h1>GovHub</h1>
                <p>Departmental records to the national platform: urgent first, in batches, each batch shared when mature
                (急用先行、分批推动，成熟一批、共享一批).</p>
                <ul>
                  <li><a href="/console/">Operator console 运营控制台</a>: batches, quarantine, sources, deploying a source, sharing, weekly reports</li>
                  <li><a href="/actuator/hawtio/">Hawtio console</a>: routes, queues, JMX</li>
                  <li><a href="/api/admin/batches">Batches</a> with status and receipts
                      (one batch with its manifest: <code>/api/admin/batches/{id}</code>)</li>
                  <li><a href="/api/admin/quarantine">Quarantine</a>: records that failed, with reasons and raw rows</li>
                  <li><a href="/api/admin/sources">Sources</a>: incremental pull watermarks</li>
                  <li><a href="/actuator/health">Health</a>: broker, hub database, sources, platform</li>
                  <li><a href="/sandbox/platform/batches">Sandbox national platform</a>: what it received (sandbox only)</li>
                </ul>
                <form method="post" action="/logout"><button>Log out</button>
                <input type="hidden" name="_csrf" id="csrf"></form>
                <script>document.getElementById('csrf').value=(document.cookie.match(/XSRF-TOKEN=([^;]+)/)||[])[1]||''</script>
                </body></html>
                """;
    }
}
