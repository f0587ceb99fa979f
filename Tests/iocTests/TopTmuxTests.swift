import Foundation
import IOCTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The tmux binary, if installed.
private let tmuxPath: String? = ["/usr/bin/tmux", "/usr/local/bin/tmux", "/opt/homebrew/bin/tmux"].first {
    FileManager.default.isExecutableFile(atPath: $0)
}

/// `ioc top` on a real terminal: a detached tmux session of fixed size on a private server, driven with
/// `send-keys` and read with `capture-pane`. Every wait is bounded and polled; no timing is asserted.
@Suite(
    "ioc top in tmux", .serialized,
    .enabled(if: tmuxPath != nil, "tmux is not installed: apt-get install tmux"))
struct TopTmuxTests {
    /// A private tmux server (its own socket) with one session; `close()` kills the server.
    final class Session {
        let server = "ioc-top-test-\(getpid())-\(UUID().uuidString.prefix(8))"
        let name = "top"

        init(width: Int, height: Int, command: String) throws {
            let status = Self.spawnClean(
                tmuxPath!,
                [
                    "-L", server, "-f", "/dev/null", "new-session", "-d", "-s", name, "-x", "\(width)", "-y",
                    "\(height)", command,
                ])
            guard status == 0 else { throw TmuxError(message: "tmux new-session exited with status \(status)") }
        }

        /// Runs the client that starts the tmux server with posix_spawn, with an empty signal mask, default
        /// signal actions and /dev/null as stdin, stdout and stderr. Test threads block most signals and the server and its panes
        /// would inherit that (kill-server's SIGTERM would never arrive, nor the SIGTERM this suite sends); and
        /// Foundation's `Process` leaves the daemon a descriptor that makes its wait for the client hang.
        static func spawnClean(_ path: String, _ arguments: [String]) -> Int32 {
            var attributes = posix_spawnattr_t()
            posix_spawnattr_init(&attributes)
            defer { posix_spawnattr_destroy(&attributes) }
            var none = sigset_t()
            sigemptyset(&none)
            var all = sigset_t()
            sigfillset(&all)
            posix_spawnattr_setsigmask(&attributes, &none)
            posix_spawnattr_setsigdefault(&attributes, &all)
            posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            for fd: Int32 in 0...2 { posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", O_RDWR, 0) }
            let argv = ([path] + arguments).map { strdup($0) } + [nil]
            defer { for p in argv { free(p) } }
            var pid: pid_t = 0
            guard posix_spawn(&pid, path, &actions, &attributes, argv, environ) == 0 else { return -1 }
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            return (status & 0x7F) == 0 ? (status >> 8) & 0xFF : -1
        }

        deinit { close() }

        /// Kills the private server and removes its socket file (tmux leaves it behind).
        func close() {
            _ = try? tmux(["kill-server"])
            let dir = ProcessInfo.processInfo.environment["TMUX_TMPDIR"] ?? "/tmp"
            unlink("\(dir)/tmux-\(getuid())/\(server)")
        }

        @discardableResult
        func tmux(_ arguments: [String]) throws -> ProcessResult {
            try ProcessRunner.run(URL(fileURLWithPath: tmuxPath!), ["-L", server, "-f", "/dev/null"] + arguments)
        }

        func screen() throws -> String { try tmux(["capture-pane", "-p", "-t", name]).stdout }

        func screenWithEscapes() throws -> String { try tmux(["capture-pane", "-p", "-e", "-t", name]).stdout }

        /// The status `ioc top` exited with, once the script around it has printed it. The script then sleeps (the
        /// session is killed at the end of the test): tmux 3.3 may drop a pane's last output when the pane dies
        /// with it, and reaps a dead pane's process late, so `remain-on-exit` and `#{pane_dead_status}` are not
        /// dependable.
        func exitStatus() throws -> Int? {
            let marker = "ioc top exited with status "
            guard let line = try screen().split(separator: "\n").first(where: { $0.hasPrefix(marker) }) else {
                return nil
            }
            return Int(line.dropFirst(marker.count))
        }

        /// `#{pane_dead} #{pane_dead_status} #{alternate_on}` and friends.
        func format(_ f: String) throws -> String {
            try tmux(["display-message", "-p", "-t", name, f]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }

        /// Polls `condition` every 200 ms for at most `seconds`; the last value it saw.
        func wait(upTo seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if try condition() { return true }
                usleep(200_000)
            }
            return try condition()
        }
    }

    struct TmuxError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    private func tempDir() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ioc-top-tmux-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Single-quoted for sh.
    private func quoted(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    /// A live run, as the README's two-terminal session: a paced generator into `ioc run --publish` with 2 s windows
    /// and provisional snapshots, watched by `ioc top --connect` (which retries until the publisher is up). The
    /// rules lower two
    /// thresholds so alerts come with the first window instead of after minutes of event time: response-time p95
    /// above 100 ms (the generator's median is 280 ms) and hotspots from 2 P1/P2 events.
    @Test func liveRunShowsKPIsAndAlertsAndQuitRestoresTheTerminal() throws {
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let ioc = TestPaths.iocBinary.path
        let defaults = try ProcessRunner.ioc(["rules", "--print-default"])
        #expect(defaults.status == 0)
        let rules = defaults.stdout
            .replacingOccurrences(of: "\"above\": 2000", with: "\"above\": 100")
            .replacingOccurrences(of: "\"security_hotspot_min_events\": 5", with: "\"security_hotspot_min_events\": 2")
        #expect(rules != defaults.stdout)
        let rulesPath = dir.appendingPathComponent("rules.json").path
        try rules.write(toFile: rulesPath, atomically: true, encoding: .utf8)
        let script = dir.appendingPathComponent("live.sh").path
        let publish = dir.appendingPathComponent("pub.sock").path
        try """
        \(quoted(ioc)) gen --rate 4000 --seed 7 \
          | \(quoted(ioc)) run --rules \(quoted(rulesPath)) --window 2s --lateness 0s --every 500ms \
              --publish \(quoted("unix://" + publish)) --snapshots /dev/null 2>/dev/null &
        \(quoted(ioc)) top --connect \(quoted("unix://" + publish))
        echo "ioc top exited with status $?"
        kill %1
        sleep 120

        """.write(toFile: script, atomically: true, encoding: .utf8)

        let session = try Session(width: 120, height: 40, command: "sh \(quoted(script))")
        defer { session.close() }

        var last = ""
        let shown = try session.wait(upTo: 30) {
            last = try session.screen()
            let lines = last.split(separator: "\n")
            let kpis = ["FIELD REPORTS  received", "TRAFFIC        readings", "SECURITY       events", "PIPELINE"]
                .allSatisfy { p in lines.contains { $0.hasPrefix(p) } }
            let alert = lines.contains {
                $0.hasPrefix("  P") && ($0.contains("metric.sla") || $0.contains("security."))
            }
            return kpis && alert
        }
        #expect(shown, "no KPIs and alert on screen within 30 s:\n\(last)")
        #expect(try session.format("#{alternate_on}") == "1", "ioc top did not switch to the alternate screen")
        let header = last.split(separator: "\n").first.map(String.init) ?? ""
        #expect(header.hasPrefix(" ioc top · unix://"), "\(header)")
        #expect(!last.contains("lines skipped"))
        // Laid out within the width: a longer header would have wrapped onto the window row.
        let rows = last.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(rows.count > 2 && rows[1].hasPrefix("window "), "\(last)")

        try session.tmux(["send-keys", "-t", session.name, "q"])
        var status: Int?
        _ = try session.wait(upTo: 15) {
            status = try session.exitStatus()
            return status != nil
        }
        let afterQuit = try session.screen()
        #expect(status == 0, "ioc top did not exit 0 after q:\n\(afterQuit)")
        #expect(try session.format("#{alternate_on}") == "0", "the alternate screen was not left")
        #expect(!afterQuit.contains("FIELD REPORTS"), "the top screen is still shown")
    }

    /// A replay file, then a resize: only SIGWINCH can make it redraw (a file that does not change is not read
    /// again), so the header fitting the new width proves the resize was followed. Ctrl-C and SIGTERM quit too,
    /// and leave the terminal as they found it.
    @Test(arguments: ["C-c", "SIGTERM"])
    func followsResizesAndQuits(by quit: String) throws {
        let sample = TestPaths.samples.appendingPathComponent("expected/city-morning.snapshots.ndjson").path
        let script =
            "\(quoted(TestPaths.iocBinary.path)) top \(quoted(sample)); echo \"ioc top exited with status $?\"; sleep 120"
        let session = try Session(width: 120, height: 40, command: "sh -c \(quoted(script))")
        defer { session.close() }
        var last = ""
        let drawn = try session.wait(upTo: 20) {
            last = try session.screen()
            return last.contains("40 snapshots") && last.contains("ALERTS         4 active")
        }
        #expect(drawn, "the replay was not drawn:\n\(last)")
        #expect(try session.screenWithEscapes().contains("\u{1B}[7m"), "the header is not in reverse video")

        try session.tmux(["resize-window", "-t", session.name, "-x", "70", "-y", "24"])
        let redrawn = try session.wait(upTo: 15) {
            last = try session.screen()
            let header = last.split(separator: "\n", omittingEmptySubsequences: false).first ?? ""
            // capture-pane drops the trailing space of the header, which is padded to the full width
            return header.hasSuffix("40 snapshots") && header.count == 69
        }
        #expect(redrawn, "no redraw for 70×24:\n\(last)")
        let rows = last.split(separator: "\n", omittingEmptySubsequences: false).dropLast()  // capture ends with \n
        #expect(rows.count == 24)
        #expect(rows.last?.hasPrefix(" q quit") == true)
        #expect(rows.contains("ALERTS         4 active · raised 13 · cleared 9"))

        if quit == "SIGTERM" {
            // The pane runs sh; ioc top is its child.
            let shell = try session.format("#{pane_pid}")
            let children = try String(contentsOfFile: "/proc/\(shell)/task/\(shell)/children", encoding: .utf8)
            let pid = try #require(children.split(separator: " ").first.flatMap { pid_t($0) })
            #expect(kill(pid, SIGTERM) == 0)
        } else {
            try session.tmux(["send-keys", "-t", session.name, quit])
        }
        var status: Int?
        _ = try session.wait(upTo: 15) {
            status = try session.exitStatus()
            return status != nil
        }
        let afterQuit = try session.screen()
        #expect(status == 0, "ioc top did not exit 0 after \(quit):\n\(afterQuit)")
        #expect(!afterQuit.contains("FIELD REPORTS"), "the top screen is still shown")
        #expect(try session.format("#{alternate_on}") == "0", "the alternate screen was not left")
    }

    /// An operator's view survives a restart of the run: the publisher hangs up and goes away (the screen says
    /// so), then comes back at the same address, and the view reconnects on its own and shows the new snapshot.
    @Test func reconnectsWhenThePublisherComesBack() throws {
        let sample = CityMorningLines.load()
        let path = "/tmp/ioc-top-\(getpid())-\(UUID().uuidString.prefix(8)).sock"
        defer { unlink(path) }
        let first = try #require(TopCLITests.listen(path))
        let hangUp = DispatchSemaphore(value: 0)
        let firstServer = Thread {
            let c = accept(first, nil, nil)
            guard c >= 0 else { return }
            TopTmuxTests.writeAll(c, sample[0] + "\n")
            hangUp.wait()
            close(c)
            close(first)
            unlink(path)  // gone: reconnecting fails until a new run listens again
        }
        firstServer.start()

        let script =
            "\(quoted(TestPaths.iocBinary.path)) top --connect unix://\(path); echo \"ioc top exited with status $?\";"
            + " sleep 120"
        let session = try Session(width: 120, height: 40, command: "sh -c \(quoted(script))")
        defer {
            hangUp.signal()
            session.close()
        }
        var last = ""
        let connected = try session.wait(upTo: 20) {
            last = try session.screen()
            return last.contains("· connected") && last.contains("window 2026-11-22T00:00:00Z")
        }
        #expect(connected, "the first snapshot was not shown:\n\(last)")

        hangUp.signal()
        let lost = try session.wait(upTo: 20) {
            last = try session.screen()
            return last.contains("DISCONNECTED: ") && last.contains("· disconnected")
        }
        #expect(lost, "the lost connection was not shown:\n\(last)")
        #expect(last.contains("window 2026-11-22T00:00:00Z"), "the last snapshot should stay on screen")

        let second = try #require(TopCLITests.listen(path))
        defer { close(second) }
        let secondServer = Thread {
            let c = accept(second, nil, nil)
            guard c >= 0 else { return }
            TopTmuxTests.writeAll(c, sample[39] + "\n")
            hangUp.wait()
            close(c)
        }
        secondServer.start()
        let back = try session.wait(upTo: 20) {
            last = try session.screen()
            return last.contains("· connected") && last.contains("window 2026-11-22T00:39:00Z")
                && !last.contains("DISCONNECTED")
        }
        #expect(back, "no reconnect:\n\(last)")
        #expect(last.contains(" 2 snapshots"))

        try session.tmux(["send-keys", "-t", session.name, "q"])
        var status: Int?
        _ = try session.wait(upTo: 15) {
            status = try session.exitStatus()
            return status != nil
        }
        #expect(status == 0)
    }

    static func writeAll(_ fd: Int32, _ text: String) {
        let bytes = Array(text.utf8)
        var done = 0
        while done < bytes.count {
            let n = bytes[done...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n <= 0 { return }
            done += n
        }
    }
}

/// The sample snapshot lines.
enum CityMorningLines {
    static func load() -> [String] {
        let url = TestPaths.samples.appendingPathComponent("expected/city-morning.snapshots.ndjson")
        return ((try? String(contentsOf: url, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }
}
