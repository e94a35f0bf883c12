import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One run at a time per workspace: an `flock(2)` on `state/run.lock`. The kernel releases it when
/// the process dies, however it dies, so no PID file or "running" row ever decides liveness.
final class RunLock {
    private var descriptor: Int32

    /// Another process holds the workspace (exit 75).
    struct Busy: Error, Sendable {}

    /// Takes the lock without waiting.
    /// - Throws: ``Busy`` when another process holds it; ``WorkspaceError`` when the file cannot be
    ///   opened.
    init(path: String) throws {
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else { throw WorkspaceError("cannot open the lock \(path): \(String(cString: strerror(errno)))") }
        if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            close(descriptor)
            descriptor = -1
            if code == EWOULDBLOCK { throw Busy() }
            throw WorkspaceError("cannot lock \(path): \(String(cString: strerror(code)))")
        }
    }

    func release() {
        guard descriptor >= 0 else { return }
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }
}
