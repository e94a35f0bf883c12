import Foundation
import Testing

@testable import PassbackCore

#if canImport(Glibc)
import Glibc
#endif

/// Memory a large course frees goes back to the system (``ProcessMemory``, issue 12).
@Suite(.serialized) struct ProcessMemoryTests {
    /// The process's resident memory in bytes (/proc/self/statm).
    static func residentBytes() throws -> Int {
        let fields = try String(contentsOfFile: "/proc/self/statm", encoding: .utf8).split(separator: " ")
        return (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// Allocates `count` blocks of `size` bytes, writes every page, frees them.
    static func touchAndFree(count: Int, size: Int) {
        var blocks: [UnsafeMutableRawPointer] = []
        for _ in 0..<count {
            let block = malloc(size)!
            memset(block, 1, size)
            blocks.append(block)
        }
        for block in blocks { free(block) }
    }

    @Test func blocksFreedAfterALargeOneGoBackToTheSystem() throws {
        ProcessMemory.returnLargeBlocksToTheSystem()
        // A section's history record freed: glibc's default would now keep every block under
        // 24 MB in its heap.
        Self.touchAndFree(count: 1, size: 24 << 20)
        let before = try Self.residentBytes()
        var blocks: [UnsafeMutableRawPointer] = []
        for _ in 0..<96 {
            let block = malloc(1 << 20)!
            memset(block, 1, 1 << 20)
            blocks.append(block)
        }
        let held = try Self.residentBytes()
        for block in blocks { free(block) }
        let after = try Self.residentBytes()
        #expect(held - before > 80 << 20)
        // Other tests allocate meanwhile: allow them some.
        #expect(after - before < 32 << 20, "\((after - before) >> 20) MB of 96 MB freed stayed resident")
    }
}
