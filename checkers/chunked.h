// Append-only storage that grows one fixed-size chunk at a time, for the
// search memos (wgl.h), whose memory must stay within a budget at its peak.
//
// A std::vector doubles: while it copies, the old and the new buffer are
// both alive, so a memo accounted at N bytes briefly holds 2N, and the
// capacity it reports jumps far ahead of what it touches. These containers
// never move an element, never hold more than one partly used chunk, and
// say before an append how many bytes it will allocate (growth_bytes), so
// the caller can ask its budget first.
//
// Invariants: elements never move (indices and pointers stay valid); every
// chunk but the last is full (ChunkedArray) or was cut short only to keep
// a run of words contiguous (WordArena).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "checkers/check_assert.h"

namespace zsim::checkers {

inline constexpr std::size_t kChunkBytes = std::size_t{256} << 10;

// An append-only array of T (default-constructible), in chunks.
template <class T>
class ChunkedArray {
 public:
  static constexpr std::size_t kPerChunk = kChunkBytes / sizeof(T) > 0 ? kChunkBytes / sizeof(T) : 1;

  std::size_t size() const { return size_; }
  T& operator[](std::size_t i) { return chunks_[i / kPerChunk][i % kPerChunk]; }
  const T& operator[](std::size_t i) const { return chunks_[i / kPerChunk][i % kPerChunk]; }

  // Bytes the next push_back allocates (0 when its chunk has room).
  std::size_t growth_bytes() const {
    return size_ % kPerChunk == 0 ? kPerChunk * sizeof(T) + sizeof(void*) : 0;
  }
  void push_back(T value) {
    if (size_ % kPerChunk == 0) chunks_.push_back(std::make_unique<T[]>(kPerChunk));
    (*this)[size_++] = std::move(value);
  }
  // Bytes held: the chunks and the table of chunk pointers.
  std::size_t bytes() const {
    return chunks_.size() * kPerChunk * sizeof(T) + chunks_.capacity() * sizeof(void*);
  }

 private:
  std::vector<std::unique_ptr<T[]>> chunks_;
  std::size_t size_ = 0;
};

// Runs of 64-bit words, each run contiguous, addressed by a 64-bit offset.
class WordArena {
 public:
  static constexpr std::size_t kPerChunk = kChunkBytes / 8;

  // Bytes the next allocate(n) allocates (0 when the last chunk has room).
  std::size_t growth_bytes(std::size_t n) const {
    return fits(n) ? 0 : chunk_words(n) * 8 + sizeof(void*);
  }
  // Copies n words in and returns where they are. n may exceed a chunk: a
  // longer run gets a chunk of its own. REQUIRES: n > 0.
  std::uint64_t allocate(const std::uint64_t* words, std::size_t n) {
    CHECKERS_ASSERT(n > 0);
    if (!fits(n)) {
      const std::size_t len = chunk_words(n);
      chunks_.push_back({std::make_unique<std::uint64_t[]>(len), len});
      used_ = 0;
      words_held_ += len;
    }
    const std::uint64_t at = (static_cast<std::uint64_t>(chunks_.size() - 1) << 32) | used_;
    std::copy(words, words + n, chunks_.back().words.get() + used_);
    used_ += n;
    return at;
  }
  const std::uint64_t* at(std::uint64_t where) const {
    return chunks_[static_cast<std::size_t>(where >> 32)].words.get() + (where & 0xffffffffu);
  }
  std::size_t bytes() const { return words_held_ * 8 + chunks_.capacity() * sizeof(Chunk); }

 private:
  struct Chunk {
    std::unique_ptr<std::uint64_t[]> words;
    std::size_t len = 0;
  };
  bool fits(std::size_t n) const { return n == 0 || (!chunks_.empty() && used_ + n <= chunks_.back().len); }
  static std::size_t chunk_words(std::size_t n) { return n > kPerChunk ? n : kPerChunk; }

  std::vector<Chunk> chunks_;
  std::size_t used_ = 0;
  std::size_t words_held_ = 0;
};

}  // namespace zsim::checkers
