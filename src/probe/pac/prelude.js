// oqs-net: the standard PAC helper functions, evaluated in every fresh sandbox before the PAC
// script. Written for oqs-net; their results are meant to equal pacparser's (Debian's
// python3-pacparser 1.3.6) function by function, including its edge cases, and are tested
// against it. Name resolution, this machine's addresses and the clock come from the host through
// the __oqs* values below, which this prelude captures and then removes from the global object.
(function (g) {
    var nativeResolve = g.__oqsResolve;   // (name, all) -> "a" | "a;b" | null
    var nativeMyIp = g.__oqsMyIp;         // (all) -> "a" | "a;b"
    var nativeSortIps = g.__oqsSortIps;   // (list) -> sorted list | "" when invalid
    var nativeAlert = g.__oqsAlert;       // (message) -> undefined
    var nowMs = g.__oqsNow;               // the injected instant, ms since the epoch
    var offsetMs = g.__oqsOffset;         // local time minus UTC, ms
    delete g.__oqsResolve;
    delete g.__oqsMyIp;
    delete g.__oqsSortIps;
    delete g.__oqsAlert;
    delete g.__oqsNow;
    delete g.__oqsOffset;

    var RealDate = Date;
    var dottedQuad = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

    // A script's own `new Date()`, `Date()` and `Date.now()` see the injected instant.
    function PacDate() {
        if (!(this instanceof PacDate)) {
            return new RealDate(nowMs).toString();
        }
        if (arguments.length === 0) {
            return new RealDate(nowMs);
        }
        return Reflect.construct(RealDate, arguments);
    }
    PacDate.prototype = RealDate.prototype;
    PacDate.now = function now() { return nowMs; };
    PacDate.UTC = RealDate.UTC;
    PacDate.parse = RealDate.parse;
    g.Date = PacDate;

    // Local time is computed as UTC fields of a shifted instant, so the helpers depend on the
    // injected offset and never on this machine's time zone.
    function localNow() { return new RealDate(nowMs + offsetMs); }
    function utcNow() { return new RealDate(nowMs); }

    // The ranged forms of dateRange and timeRange with "GMT" compare against the UTC wall clock
    // written over the local date field by field, each UTC field read back from the date being
    // rewritten. Near a month's end that drifts (every browser-derived implementation and
    // pacparser do the same); it is reproduced so the answers agree.
    function gmtWrittenOverLocal() {
        var d = localNow();
        function utc() { return new RealDate(d.getTime() - offsetMs); }
        d.setUTCFullYear(utc().getUTCFullYear());
        d.setUTCMonth(utc().getUTCMonth());
        d.setUTCDate(utc().getUTCDate());
        d.setUTCHours(utc().getUTCHours());
        d.setUTCMinutes(utc().getUTCMinutes());
        d.setUTCSeconds(utc().getUTCSeconds());
        return d;
    }

    g.alert = function alert(message) {
        nativeAlert(String(message));
    };

    g.dnsResolve = function dnsResolve(host) {
        return nativeResolve(String(host), false);
    };
    g.myIpAddress = function myIpAddress() {
        return nativeMyIp(false);
    };
    g.dnsResolveEx = function dnsResolveEx(host) {
        return nativeResolve(String(host), true);
    };
    g.myIpAddressEx = function myIpAddressEx() {
        return nativeMyIp(true);
    };

    g.isPlainHostName = function isPlainHostName(host) {
        return host.search('\\.') == -1;
    };

    g.dnsDomainIs = function dnsDomainIs(host, domain) {
        if (!(host.length >= domain.length)) {
            return false;
        }
        return host.substring(host.length - domain.length) == domain;
    };

    g.localHostOrDomainIs = function localHostOrDomainIs(host, hostdom) {
        if (host == hostdom) {
            return true;
        }
        return hostdom.lastIndexOf(host + '.', 0) == 0;
    };

    g.dnsDomainLevels = function dnsDomainLevels(host) {
        return host.split('.').length - 1;
    };

    g.isResolvable = function isResolvable(host) {
        return g.dnsResolve(host) != null;
    };

    g.isResolvableEx = function isResolvableEx(host) {
        return g.dnsResolveEx(host) != null;
    };

    // Dotted text to a 32-bit number, each part masked to a byte (lenient, like every browser).
    function quadToInt(text) {
        var p = String(text).split('.');
        return ((p[0] & 0xff) << 24) | ((p[1] & 0xff) << 16) | ((p[2] & 0xff) << 8) | (p[3] & 0xff);
    }

    g.isInNet = function isInNet(ipaddr, pattern, maskstr) {
        var m = dottedQuad.exec(ipaddr);
        if (m === null) {
            ipaddr = g.dnsResolve(ipaddr);
            if (ipaddr == null) {
                return false;
            }
        } else if (m[1] > 255 || m[2] > 255 || m[3] > 255 || m[4] > 255) {
            return false;
        }
        var mask = quadToInt(maskstr);
        return (quadToInt(ipaddr) & mask) == (quadToInt(pattern) & mask);
    };

    // IPv6 text to eight numbers; lenient in the same way as pacparser (no validation).
    function ipv6Fields(text) {
        var f = text.replace(/(^:|:$)/, '').split(':');
        var missing = 8 - f.length;
        for (var i = 0; i < f.length; i++) {
            if (f[i] == '') {
                f[i] = '0';
                for (var k = 0; k < missing; k++) {
                    f.splice(i++, 0, '0');
                }
                break;
            }
        }
        var out = [];
        for (var j = 0; j < f.length; j++) {
            out.push(parseInt(f[j], 16));
        }
        return out;
    }

    function inNet6(ipaddr, prefix, bits) {
        if (bits > 128) {
            return false;
        }
        var want = ipv6Fields(prefix);
        var have = ipv6Fields(ipaddr);
        var rest = bits % 16;
        var whole = (bits - rest) / 16;
        for (var i = 0; i < whole; i++) {
            if (have[i] != want[i]) {
                return false;
            }
        }
        if (rest > 0 && (have[whole] >> (16 - rest)) != (want[whole] >> (16 - rest))) {
            return false;
        }
        return true;
    }

    function inNet4(ipaddr, prefix, bits) {
        if (bits > 32) {
            return false;
        }
        var mask = [];
        for (var i = 1; i <= 4; i++) {
            var shift = 8 * i - bits;
            mask.push(shift <= 0 ? 255 : (0xff >> shift) << shift);
        }
        return g.isInNet(ipaddr, prefix, mask.join('.'));
    }

    g.isInNetEx = function isInNetEx(ipaddr, prefix) {
        var parts = prefix.split('/');
        if (parts.length != 2) {
            return false;
        }
        if (/^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(ipaddr)) {
            return inNet4(ipaddr, parts[0], parts[1]);
        }
        return inNet6(ipaddr, parts[0], parts[1]);
    };

    g.sortIpAddressList = function sortIpAddressList(list) {
        var sorted = nativeSortIps(String(list));
        return sorted === '' ? false : sorted;
    };

    g.getClientVersion = function getClientVersion() {
        return '1.0';
    };

    g.shExpMatch = function shExpMatch(str, pattern) {
        var re = pattern.replace(/\./g, '\\.').replace(/\*/g, '.*').replace(/\?/g, '.');
        return new RegExp('^' + re + '$').test(str);
    };

    var DAYS = { SUN: 0, MON: 1, TUE: 2, WED: 3, THU: 4, FRI: 5, SAT: 6 };
    var MONTHS = { JAN: 0, FEB: 1, MAR: 2, APR: 3, MAY: 4, JUN: 5,
                   JUL: 6, AUG: 7, SEP: 8, OCT: 9, NOV: 10, DEC: 11 };
    function lookup(table, name) {
        return Object.prototype.hasOwnProperty.call(table, name) ? table[name] : -1;
    }

    g.weekdayRange = function weekdayRange() {
        var n = arguments.length;
        if (n < 1) {
            return false;
        }
        var day;
        if (arguments[n - 1] == 'GMT') {
            n--;
            day = utcNow().getUTCDay();
        } else {
            day = localNow().getUTCDay();
        }
        var from = lookup(DAYS, arguments[0]);
        var to = n == 2 ? lookup(DAYS, arguments[1]) : from;
        if (from == -1 || to == -1) {
            return false;
        }
        return from <= day && day <= to;
    };

    g.dateRange = function dateRange() {
        var n = arguments.length;
        if (n < 1) {
            return false;
        }
        var gmt = arguments[n - 1] == 'GMT';
        if (gmt) {
            n--;
        }
        var now = localNow();
        if (n == 1) {
            var only = parseInt(arguments[0]);
            var at = gmt ? utcNow() : now;
            if (isNaN(only)) {
                return at.getUTCMonth() == lookup(MONTHS, arguments[0]);
            }
            if (only < 32) {
                return at.getUTCDate() == only;
            }
            return at.getUTCFullYear() == only;
        }
        var year = now.getUTCFullYear();
        var start = new RealDate(RealDate.UTC(year, 0, 1, 0, 0, 0));
        var end = new RealDate(RealDate.UTC(year, 11, 31, 23, 59, 59));
        var dayOnly = false;
        var half = n >> 1;
        for (var i = 0; i < n; i++) {
            var bound = i < half ? start : end;
            var v = parseInt(arguments[i]);
            if (isNaN(v)) {
                bound.setUTCMonth(lookup(MONTHS, arguments[i]));
            } else if (v < 32) {
                if (i < half) {
                    dayOnly = n <= 2;
                }
                bound.setUTCDate(v);
            } else {
                bound.setUTCFullYear(v);
            }
        }
        if (dayOnly) {
            start.setUTCMonth(now.getUTCMonth());
            end.setUTCMonth(now.getUTCMonth());
        }
        var t = gmt ? gmtWrittenOverLocal() : now;
        return start <= t && t <= end;
    };

    g.timeRange = function timeRange() {
        var n = arguments.length;
        if (n < 1) {
            return false;
        }
        var gmt = false;
        if (arguments[n - 1] == 'GMT') {
            gmt = true;
            n--;
        }
        var hour = gmt ? utcNow().getUTCHours() : localNow().getUTCHours();
        if (n == 1) {
            return hour == arguments[0];
        }
        if (n == 2) {
            return arguments[0] <= hour && hour <= arguments[1];
        }
        // Both bounds start from the current local instant, as in every browser's version.
        var start = localNow();
        var end = localNow();
        if (n == 6) {
            start.setUTCSeconds(arguments[2]);
            end.setUTCSeconds(arguments[5]);
        } else if (n != 4) {
            throw 'timeRange: bad number of arguments';
        }
        var mid = n >> 1;
        start.setUTCHours(arguments[0]);
        start.setUTCMinutes(arguments[1]);
        end.setUTCHours(arguments[mid]);
        end.setUTCMinutes(arguments[mid + 1]);
        if (mid == 2) {
            end.setUTCSeconds(59);
        }
        var t = gmt ? gmtWrittenOverLocal() : localNow();
        return start <= t && t <= end;
    };
})(globalThis);
