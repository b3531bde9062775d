#!/usr/bin/env python3
"""Generate the bundled sample logs in data/sample/ (deterministic).

Two days of a small organisation's telemetry in the formats aptscope reads:
Suricata EVE, Zeek TSV (conn/dns/http, ssl gzipped), sshd auth.log and a web
access log. Benign background plus a few APT traces that the bundled
indicators (data/ioc/) and engines find: DNS and TLS to C2 domains of public
reports, connections to a C2 address, SSH brute force ending in a success,
a password-guessing run against a web log-in page.

Usage: scripts/gen-sample.py [OUT_DIR]   (default: data/sample)
"""
import gzip
import json
import os
import random
import sys

R = random.Random(20250301)
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "data", "sample")
T0 = 1740787200  # 2025-03-01T00:00:00Z
DAYS = 2

HOSTS = ["10.20.1.%d" % i for i in range(10, 60)]
SERVERS = {"10.20.0.5": "mail.example.gov", "10.20.0.8": "www.example.gov", "10.20.0.9": "vpn.example.gov"}
BENIGN = ["www.google.com", "update.microsoft.com", "login.microsoftonline.com", "www.bing.com",
          "cdn.jsdelivr.net", "github.com", "api.github.com", "ocsp.digicert.com", "www.wikipedia.org",
          "fonts.gstatic.com", "outlook.office365.com", "teams.microsoft.com", "s3.amazonaws.com",
          "ctldl.windowsupdate.com", "time.windows.com", "www.example.gov", "news.example.org"]
# Indicators from data/ioc/signature-base-c2-iocs.txt (Sofacy, 3CX, Snowman, Lazarus).
C2_DOMAINS = ["drivres-update.info", "msedgepackageinfo.com", "akamaicontainer.com", "codevexillium.org"]
C2_IPS = ["58.64.143.244", "118.99.60.142"]
VICTIM = "10.20.1.23"
UAS = ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0 Safari/537.36",
       "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_3) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Safari/605.1.15",
       "Microsoft-CryptoAPI/10.0", "Windows-Update-Agent/10.0.10011.16384 Client-Protocol/2.50"]


def ext_ip():
    while True:
        ip = "%d.%d.%d.%d" % (R.randint(11, 223), R.randint(0, 255), R.randint(0, 255), R.randint(1, 254))
        if not ip.startswith(("127.", "169.254.", "172.", "192.168.", "100.")):
            return ip


def iso(t):
    import datetime
    d = datetime.datetime.fromtimestamp(t, datetime.timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S.%f") + "+0000"


def fid():
    return R.randint(10**14, 10**15)


def eve():
    recs = []
    for _ in range(2500):
        t = T0 + R.random() * DAYS * 86400
        src = R.choice(HOSTS)
        dom = R.choice(BENIGN)
        dst = ext_ip()
        kind = R.random()
        base = {"timestamp": iso(t), "flow_id": fid(), "in_iface": "eth1", "src_ip": src,
                "src_port": R.randint(49152, 65535), "host": "sensor-01"}
        if kind < 0.4:
            base.update({"event_type": "dns", "dest_ip": "10.20.0.2", "dest_port": 53, "proto": "UDP",
                         "dns": {"version": 2, "type": "query", "id": R.randint(1, 65535), "rrname": dom,
                                 "rrtype": "A", "tx_id": 0, "opcode": 0}})
        elif kind < 0.6:
            base.update({"event_type": "tls", "dest_ip": dst, "dest_port": 443, "proto": "TCP",
                         "tls": {"subject": "CN=" + dom, "issuerdn": "C=US, O=Let's Encrypt, CN=R3",
                                 "serial": "04:%02X:11" % R.randint(0, 255), "fingerprint": "",
                                 "sni": dom, "version": "TLS 1.3", "notbefore": "2025-01-01T00:00:00",
                                 "notafter": "2025-04-01T00:00:00",
                                 "ja3": {"hash": "%032x" % R.getrandbits(128), "string": "771,4865-4866"},
                                 "ja3s": {"hash": "%032x" % R.getrandbits(128), "string": "771,4865"}}})
        elif kind < 0.75:
            path = R.choice(["/", "/index.html", "/api/v1/status", "/static/app.js", "/images/logo.png"])
            base.update({"event_type": "http", "dest_ip": dst, "dest_port": 80, "proto": "TCP", "tx_id": 0,
                         "http": {"hostname": dom, "url": path, "http_user_agent": R.choice(UAS),
                                  "http_content_type": "text/html", "http_method": "GET",
                                  "protocol": "HTTP/1.1", "status": R.choice([200, 200, 200, 304, 404]),
                                  "length": R.randint(100, 50000)}})
        else:
            up, down = R.randint(200, 5000), R.randint(500, 200000)
            base.update({"event_type": "flow", "dest_ip": dst, "dest_port": R.choice([443, 80, 8080]),
                         "proto": "TCP", "app_proto": R.choice(["tls", "http", "failed"]),
                         "flow": {"pkts_toserver": R.randint(3, 40), "pkts_toclient": R.randint(3, 60),
                                  "bytes_toserver": up, "bytes_toclient": down, "start": iso(t),
                                  "end": iso(t + R.random() * 30), "age": R.randint(0, 30),
                                  "state": "closed", "reason": "timeout", "alerted": False},
                         "tcp": {"tcp_flags": "1b", "syn": True, "fin": True, "psh": True, "ack": True,
                                 "state": "closed"}})
        recs.append((t, base))
    # APT traces: the victim resolves and talks to C2 domains, and beacons to a C2 address.
    for i, dom in enumerate(C2_DOMAINS):
        t = T0 + 36000 + i * 1800
        recs.append((t, {"timestamp": iso(t), "flow_id": fid(), "event_type": "dns", "src_ip": VICTIM,
                         "src_port": 53000 + i, "dest_ip": "10.20.0.2", "dest_port": 53, "proto": "UDP",
                         "host": "sensor-01", "dns": {"version": 2, "type": "query", "id": 4242 + i,
                                                      "rrname": "cdn." + dom if i % 2 else dom, "rrtype": "A",
                                                      "tx_id": 0, "opcode": 0}}))
        recs.append((t + 1, {"timestamp": iso(t + 1), "flow_id": fid(), "event_type": "tls", "src_ip": VICTIM,
                             "src_port": 50000 + i, "dest_ip": C2_IPS[i % 2], "dest_port": 443, "proto": "TCP",
                             "host": "sensor-01",
                             "tls": {"subject": "CN=" + dom, "issuerdn": "CN=" + dom, "serial": "01",
                                     "sni": dom, "version": "TLS 1.2",
                                     "ja3": {"hash": "72a589da586844d7f0818ce684948eea", "string": "771,49192"},
                                     "ja3s": {"hash": "b742b407517bac9536a77a7b0fee28e9", "string": "771,49192"}}}))
    t = T0 + 40000
    recs.append((t, {"timestamp": iso(t), "flow_id": fid(), "event_type": "alert", "src_ip": VICTIM,
                     "src_port": 50999, "dest_ip": C2_IPS[0], "dest_port": 443, "proto": "TCP",
                     "host": "sensor-01",
                     "alert": {"action": "allowed", "gid": 1, "signature_id": 2027758, "rev": 3,
                               "signature": "ET MALWARE Observed Malicious SSL Cert (Sofacy CnC)",
                               "category": "Domain Observed Used for C2 Detected", "severity": 1,
                               "metadata": {"attack_target": ["Client_Endpoint"], "created_at": ["2019_07_24"]}},
                     "app_proto": "tls"}))
    recs.sort(key=lambda r: r[0])
    with open(os.path.join(OUT, "suricata", "eve.json"), "w") as f:
        for _, r in recs:
            f.write(json.dumps(r, separators=(",", ":")) + "\n")


def zeek_header(path, fields, types, t):
    return ("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n"
            "#path\t%s\n#open\t%s\n#fields\t%s\n#types\t%s\n" %
            (path, "2025-03-01-00-00-00", "\t".join(fields), "\t".join(types)))


def zeek():
    d = os.path.join(OUT, "zeek")
    conn_f = ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "service", "duration",
              "orig_bytes", "resp_bytes", "conn_state", "local_orig", "local_resp", "missed_bytes", "history",
              "orig_pkts", "orig_ip_bytes", "resp_pkts", "resp_ip_bytes", "tunnel_parents"]
    conn_t = ["time", "string", "addr", "port", "addr", "port", "enum", "string", "interval", "count", "count",
              "string", "bool", "bool", "count", "string", "count", "count", "count", "count", "set[string]"]
    rows = []
    for _ in range(3000):
        t = T0 + R.random() * DAYS * 86400
        rows.append((t, [R.choice(HOSTS), R.randint(49152, 65535), ext_ip(), R.choice([443, 80, 53])]))
    # A beacon: the victim calls the C2 address every 300 s with ±20 % jitter for 12 hours.
    t = T0 + 30000
    while t < T0 + 30000 + 12 * 3600:
        rows.append((t, [VICTIM, R.randint(49152, 65535), C2_IPS[1], 443]))
        t += 300 * (1 + R.uniform(-0.2, 0.2))
    rows.sort(key=lambda r: r[0])
    with open(os.path.join(d, "conn.log"), "w") as f:
        f.write(zeek_header("conn", conn_f, conn_t, T0))
        for t, (o, op, r, rp) in rows:
            dur = R.random() * 5
            ob, rb = R.randint(100, 3000), R.randint(100, 90000)
            svc = {443: "ssl", 80: "http", 53: "dns"}[rp]
            f.write("\t".join(map(str, ["%.6f" % t, "C%016x" % R.getrandbits(64), o, op, r, rp,
                                        "udp" if rp == 53 else "tcp", svc, "%.6f" % dur, ob, rb, "SF", "T", "F",
                                        0, "ShADadfF", 10, ob + 400, 12, rb + 480, "-"])) + "\n")
        f.write("#close\t2025-03-03-00-00-00\n")
    dns_f = ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "trans_id", "rtt", "query",
             "qclass", "qclass_name", "qtype", "qtype_name", "rcode", "rcode_name", "AA", "TC", "RD", "RA", "Z",
             "answers", "TTLs", "rejected"]
    dns_t = ["time", "string", "addr", "port", "addr", "port", "enum", "count", "interval", "string", "count",
             "string", "count", "string", "count", "string", "bool", "bool", "bool", "bool", "count",
             "vector[string]", "vector[interval]", "bool"]
    with open(os.path.join(d, "dns.log"), "w") as f:
        f.write(zeek_header("dns", dns_f, dns_t, T0))
        qs = [(T0 + R.random() * DAYS * 86400, R.choice(HOSTS), R.choice(BENIGN)) for _ in range(1500)]
        qs.append((T0 + 29990, VICTIM, "codevexillium.org"))
        qs.sort()
        for t, h, q in qs:
            f.write("\t".join(map(str, ["%.6f" % t, "C%016x" % R.getrandbits(64), h, R.randint(49152, 65535),
                                        "10.20.0.2", 53, "udp", R.randint(1, 65535), "0.012", q, 1, "C_INTERNET", 1,
                                        "A", 0, "NOERROR", "F", "F", "T", "T", 0, ext_ip(), "300.000000", "F"])) + "\n")
    http_f = ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "trans_depth", "method", "host",
              "uri", "referrer", "version", "user_agent", "request_body_len", "response_body_len", "status_code",
              "status_msg"]
    http_t = ["time", "string", "addr", "port", "addr", "port", "count", "string", "string", "string", "string",
              "string", "string", "count", "count", "count", "string"]
    with open(os.path.join(d, "http.log"), "w") as f:
        f.write(zeek_header("http", http_f, http_t, T0))
        reqs = [(T0 + R.random() * DAYS * 86400, R.choice(HOSTS), R.choice(BENIGN), "/", R.choice(UAS))
                for _ in range(800)]
        reqs.append((T0 + 41000, VICTIM, "cht.blankchair.com", "/index.php?id=8831&op=get", "Mozilla/4.0 (compatible; MSIE 8.0)"))
        reqs.sort()
        for t, h, host, uri, ua in reqs:
            f.write("\t".join(map(str, ["%.6f" % t, "C%016x" % R.getrandbits(64), h, R.randint(49152, 65535),
                                        ext_ip(), 80, 1, "GET", host, uri, "-", "1.1", ua, 0,
                                        R.randint(100, 9000), 200, "OK"])) + "\n")
    ssl_f = ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "version", "cipher", "curve",
             "server_name", "resumed", "established", "ja3", "ja3s"]
    ssl_t = ["time", "string", "addr", "port", "addr", "port", "string", "string", "string", "string", "bool",
             "bool", "string", "string"]
    with gzip.GzipFile(os.path.join(d, "ssl.09:00:00-10:00:00.log.gz"), "wb", mtime=0) as g:
        out = [zeek_header("ssl", ssl_f, ssl_t, T0)]
        for _ in range(400):
            t = T0 + 32400 + R.random() * 3600
            out.append("\t".join(map(str, ["%.6f" % t, "C%016x" % R.getrandbits(64), R.choice(HOSTS),
                                           R.randint(49152, 65535), ext_ip(), 443, "TLSv13",
                                           "TLS_AES_128_GCM_SHA256", "x25519", R.choice(BENIGN), "F", "T",
                                           "%032x" % R.getrandbits(128), "%032x" % R.getrandbits(128)])) + "\n")
        out.append("\t".join(map(str, ["%.6f" % (T0 + 33000), "Cbeef", VICTIM, 51515, C2_IPS[1], 443, "TLSv12",
                                       "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "secp256r1", "azureonlinestorage.com",
                                       "F", "T", "72a589da586844d7f0818ce684948eea",
                                       "b742b407517bac9536a77a7b0fee28e9"])) + "\n")
        g.write("".join(out).encode())


def syslog():
    import datetime
    lines = []

    def stamp(t):
        # rsyslog's high-precision format (the default of current Debian):
        # unlike "Mar  1 12:00:00" it carries the year.
        d = datetime.datetime.fromtimestamp(t, datetime.timezone.utc)
        return d.strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")

    users = ["alice", "bob", "carol", "deploy"]
    for _ in range(300):
        t = T0 + R.random() * DAYS * 86400
        u = R.choice(users)
        ip = R.choice(HOSTS)
        pid = R.randint(1000, 60000)
        lines.append((t, "vpn sshd[%d]: Accepted publickey for %s from %s port %d ssh2: ED25519 SHA256:%s" %
                      (pid, u, ip, R.randint(40000, 65000), "x" * 43)))
        lines.append((t + 0.2, "vpn sshd[%d]: pam_unix(sshd:session): session opened for user %s(uid=1001) by (uid=0)" % (pid, u)))
    for _ in range(200):
        t = T0 + R.random() * DAYS * 86400
        lines.append((t, "vpn CRON[%d]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)" % R.randint(1000, 60000)))
    # Brute force from one external address, then it gets in as "deploy".
    attacker = "45.155.205.233"
    t = T0 + 50000
    names = ["root", "admin", "test", "oracle", "ubuntu", "deploy", "git", "postgres"]
    for i in range(180):
        pid = R.randint(1000, 60000)
        u = names[i % len(names)]
        port = R.randint(30000, 65000)
        if u in ("root", "deploy"):
            lines.append((t, "vpn sshd[%d]: Failed password for %s from %s port %d ssh2" % (pid, u, attacker, port)))
        else:
            lines.append((t, "vpn sshd[%d]: Invalid user %s from %s port %d" % (pid, u, attacker, port)))
            lines.append((t + 0.5, "vpn sshd[%d]: Failed password for invalid user %s from %s port %d ssh2" % (pid, u, attacker, port)))
        t += R.uniform(1, 4)
    lines.append((t + 5, "vpn sshd[%d]: Accepted password for deploy from %s port %d ssh2" % (R.randint(1000, 60000), attacker, R.randint(30000, 65000))))
    lines.sort()
    with open(os.path.join(OUT, "syslog", "auth.log"), "w") as f:
        for t, l in lines:
            f.write("%s %s\n" % (stamp(t), l))


def web():
    import datetime
    lines = []

    def clf(t):
        d = datetime.datetime.fromtimestamp(t, datetime.timezone.utc)
        return d.strftime("%d/%b/%Y:%H:%M:%S +0000")

    pages = ["/", "/news/2025/budget.html", "/contact", "/static/site.css", "/static/site.js", "/images/seal.png"]
    for _ in range(2000):
        t = T0 + R.random() * DAYS * 86400
        lines.append((t, '%s - - [%s] "GET %s HTTP/1.1" %d %d "-" "%s"' %
                      (ext_ip(), clf(t), R.choice(pages), R.choice([200, 200, 200, 304, 404]),
                       R.randint(200, 40000), R.choice(UAS[:2]))))
    # Password guessing against the CMS log-in from one address.
    guesser = "185.220.101.47"
    t = T0 + 70000
    for i in range(120):
        lines.append((t, '%s - - [%s] "POST /wp-login.php HTTP/1.1" 200 4512 "https://www.example.gov/wp-login.php" "python-requests/2.31.0"' %
                      (guesser, clf(t))))
        t += R.uniform(0.5, 2)
    lines.sort()
    with open(os.path.join(OUT, "web", "access.log"), "w") as f:
        for _, l in lines:
            f.write(l + "\n")


for sub in ("suricata", "zeek", "syslog", "web"):
    os.makedirs(os.path.join(OUT, sub), exist_ok=True)
eve()
zeek()
syslog()
web()
