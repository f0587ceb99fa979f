#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The terminal `ioc top` draws on: the alternate screen on stdout, keys from the controlling terminal in raw
/// mode, the window size, and putting everything back.
///
/// `restore()` is idempotent and safe to call from any exit path (`q`, Ctrl-C, SIGTERM): it writes the escape
/// sequences that leave the alternate screen and show the cursor, and gives the tty back its saved `termios`.
/// Not thread-safe: the runner calls it from its one queue.
public final class Terminal {
    /// The file descriptor keys are read from: stdin when it is the keyboard, else `/dev/tty`; nil when there is
    /// no terminal to read from (then only signals quit).
    public let keyboard: Int32?
    private let ownsKeyboard: Bool
    private var saved: termios?
    private var active = false

    /// Whether stdout is a terminal (otherwise `ioc top` prints plain lines).
    public static var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }

    /// Opens the keyboard without changing anything yet.
    public init() {
        if isatty(STDIN_FILENO) == 1 {
            keyboard = STDIN_FILENO
            ownsKeyboard = false
        } else {
            let fd = open("/dev/tty", O_RDONLY | O_CLOEXEC | O_NOCTTY)
            keyboard = fd >= 0 ? fd : nil
            ownsKeyboard = fd >= 0
        }
    }

    deinit {
        restore()
        if ownsKeyboard, let keyboard { close(keyboard) }
    }

    /// Raw keys (no echo, no line editing, Ctrl-C as a byte), the alternate screen, the cursor hidden.
    public func enter() {
        guard !active else { return }
        active = true
        if let keyboard {
            var t = termios()
            if tcgetattr(keyboard, &t) == 0 {
                saved = t
                t.c_lflag &= ~tcflag_t(ICANON | ECHO | ISIG | IEXTEN)
                t.c_iflag &= ~tcflag_t(IXON | ICRNL)
                withUnsafeMutableBytes(of: &t.c_cc) { cc in
                    cc[Int(VMIN)] = 1
                    cc[Int(VTIME)] = 0
                }
                tcsetattr(keyboard, TCSANOW, &t)
            }
        }
        write("\u{1B}[?1049h\u{1B}[?25l\u{1B}[2J\u{1B}[H")
    }

    /// Leaves the alternate screen, shows the cursor and restores the keyboard's settings. Idempotent.
    public func restore() {
        guard active else { return }
        active = false
        write("\u{1B}[0m\u{1B}[?25h\u{1B}[?1049l")
        if let keyboard, var t = saved { tcsetattr(keyboard, TCSANOW, &t) }
    }

    /// Columns × rows of stdout's terminal, re-queried on each call (after SIGWINCH); 80 × 24 when unknown.
    public static func size() -> (width: Int, height: Int) {
        var ws = winsize()
        let r = withUnsafeMutablePointer(to: &ws) { ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), $0) }
        guard r == 0, ws.ws_col > 0, ws.ws_row > 0 else { return (80, 24) }
        return (Int(ws.ws_col), Int(ws.ws_row))
    }

    /// Draws `lines` from the top-left corner in one write, clearing what each line does not cover and everything
    /// below, so a redraw does not flicker.
    public func draw(_ lines: [String]) {
        var frame = "\u{1B}[H"
        for (i, line) in lines.enumerated() {
            frame += line
            frame += "\u{1B}[K"
            if i < lines.count - 1 { frame += "\r\n" }
        }
        frame += "\u{1B}[J"
        write(frame)
    }

    /// Writes all of `text` to stdout (unbuffered: the frame must reach the screen now).
    public func write(_ text: String) {
        Terminal.writeAll(STDOUT_FILENO, text)
    }

    /// Writes all of `text` to `fd`; 0, or the `errno` of the write that failed.
    @discardableResult
    static func writeAll(_ fd: Int32, _ text: String) -> Int32 {
        var text = text
        return text.withUTF8 { writeFully(fd, UnsafeRawBufferPointer($0)) }
    }
}
