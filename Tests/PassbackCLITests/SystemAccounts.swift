import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Real users and groups for the access tests, made with `useradd`/`groupadd` and removed by
/// ``remove()``: the access model can only be shown by another account trying. Only as root
/// (this sandbox and CI run as root); the tests that need it are skipped otherwise.
final class SystemAccounts {
    static var available: Bool {
        geteuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/sbin/useradd") && FileManager.default.isExecutableFile(atPath: "/usr/sbin/runuser")
    }

    /// A short unique suffix (user names are at most 32 characters).
    let tag = String(UUID().uuidString.prefix(8)).lowercased()
    private var users: [String] = []
    private var groups: [String] = []

    struct Failed: Error, CustomStringConvertible {
        var description: String
    }

    private func sh(_ script: String, _ arguments: [String]) throws {
        let result = try CommandRunner.runShell(script, arguments: arguments)
        guard result.status == 0 else { throw Failed(description: "\(script) \(arguments): \(result.stderr)") }
    }

    /// A new group `<prefix><tag>`.
    func group(_ prefix: String) throws -> String {
        let name = prefix + tag
        try sh("groupadd \"$0\"", [name])
        groups.append(name)
        return name
    }

    /// A new user `<prefix><tag>` with its own group, also a member of `groups`.
    func user(_ prefix: String, groups extra: [String] = []) throws -> String {
        let name = prefix + tag
        try sh("useradd --no-create-home --user-group --shell /bin/sh ${1:+-G \"$1\"} \"$0\"", [name, extra.joined(separator: ",")])
        users.append(name)
        groups.append(name)
        return name
    }

    /// Runs `script` with `/bin/sh` as `user` (its groups included); `$0`, `$1`... are `arguments`.
    func run(as user: String, _ script: String, _ arguments: [String] = [], environment: [String: String] = [:]) throws -> CommandRunner.Result {
        let assignments = environment.map { "\($0.key)=\($0.value)" }
        return try CommandRunner.runShell("exec runuser -u \"$0\" -- env \"$@\"", arguments: [user] + assignments + ["/bin/sh", "-c", script] + arguments)
    }

    func remove() {
        for user in users { _ = try? CommandRunner.runShell("userdel \"$0\"", arguments: [user]) }
        for group in groups { _ = try? CommandRunner.runShell("getent group \"$0\" >/dev/null && groupdel \"$0\"", arguments: [group]) }
    }

    /// Lets other accounts search `folder` and the test folders above it: the test process may
    /// run under `umask 077` (a run in the same process sets it), which would close them.
    static func letOthersSearch(_ folder: URL) {
        for path in [TestScratch.root.path, folder.path] { _ = chmod(path, 0o755) }
    }

    deinit { remove() }
}
