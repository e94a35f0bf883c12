import Foundation

/// Runs a throwing function over `0..<count` on a few threads and keeps the results by index.
/// Each index is computed once; after ``run(workers:_:)`` returns, ``values(as:)`` gives the
/// results in index order, or throws the error of the lowest failing index.
final class ParallelMap: @unchecked Sendable {
    // @unchecked: `results` and `next` are touched only under `lock`.
    private let lock = NSLock()
    private var results: [Result<any Sendable, any Error>?]
    private var next = 0
    let count: Int

    init(count: Int) {
        self.count = count
        results = Array(repeating: nil, count: count)
    }

    func run(workers: Int, _ body: @escaping @Sendable (Int) throws -> any Sendable) {
        let threads = max(1, min(workers, count))
        guard count > 0 else { return }
        let group = DispatchGroup()
        for _ in 0..<threads {
            group.enter()
            Thread.detachNewThread { [self] in
                defer { group.leave() }
                while let index = take() {
                    let result: Result<any Sendable, any Error>
                    do { result = .success(try body(index)) } catch { result = .failure(error) }
                    lock.withLock { results[index] = result }
                }
            }
        }
        group.wait()
    }

    private func take() -> Int? {
        lock.withLock {
            guard next < count else { return nil }
            defer { next += 1 }
            return next
        }
    }

    func values<T>(as: T.Type) throws -> [T] {
        try lock.withLock {
            try results.map { result in
                guard let result else { throw LedgerError("a parallel task did not run") }
                return try result.get() as! T
            }
        }
    }
}
