#!/usr/bin/env python3
"""make-midi-broken.py OUT: writes the corpus of broken MIDI files and expected.tsv (file,
outcome, text the error or one warning must contain) into OUT. tests/engine/MidiFileTests.cpp
loads every committed file (tests/data/midi/broken/) and checks the outcome. A person
regenerates the committed copy on purpose with tools/make-test-data; ctest regenerates it
into the build folder and compares (corpus.midi-broken)."""
import os
import struct
import sys


def header(fmt=1, ntrks=1, division=96, length=6):
    return b"MThd" + struct.pack(">IHHH", length, fmt, ntrks, division)


def chunk(cid, body, length=None):
    return cid + struct.pack(">I", len(body) if length is None else length) + body


EOT = b"\x00\xff\x2f\x00"
NOTES = b"\x00\x90\x3c\x40\x60\x80\x3c\x40"  # a note on and off
GOOD_TRACK = chunk(b"MTrk", NOTES + EOT)

cases = [
    # name, bytes, outcome, text
    ("empty", b"", "error", "no MThd"),
    ("not_midi", b"RIFF\x10\x00\x00\x00RMIDdata", "error", "no MThd"),
    ("truncated_header", b"MThd\x00\x00\x00\x06\x00\x01", "error", "header truncated"),
    ("header_length_short", header(length=4) + GOOD_TRACK, "error", "below 6"),
    ("header_length_huge", header(length=0xFFFFFFF0) + GOOD_TRACK, "error", "runs past the end"),
    ("format7", header(fmt=7) + GOOD_TRACK, "error", "unknown format 7"),
    ("zero_tracks_declared", header(ntrks=0) + GOOD_TRACK, "error", "declares no tracks"),
    ("zero_division", header(division=0) + GOOD_TRACK, "error", "0 ticks per quarter"),
    ("smpte_bad_rate", header(division=0xEC10) + GOOD_TRACK, "error", "SMPTE frame rate 20"),
    ("smpte_zero_ticks", header(division=0xE700) + GOOD_TRACK, "error", "0 ticks per frame"),
    ("no_track_chunk", header(), "error", "no track chunk"),
    ("only_unknown_chunks", header() + chunk(b"XFIH", b"abcd"), "error", "no track chunk"),
    # Track chunks that lie about their length.
    ("truncated_track", header() + chunk(b"MTrk", NOTES + b"\x00\x90\x3c", length=200),
     "warning", "truncated channel message"),
    ("track_length_huge", header() + chunk(b"MTrk", NOTES + EOT, length=0xFFFFFFFF),
     "warning", "runs past the end of the file; reading the 12 bytes present"),
    ("track_length_short", header(ntrks=2) + chunk(b"MTrk", NOTES + EOT, length=5) + GOOD_TRACK,
     "warning", "bytes that are no chunk skipped up to the next track chunk"),
    ("garbage_after_track", header() + GOOD_TRACK + b"\x00\x01\x02\x03\x04\x05\x06\x07\x08",
     "warning", "no track chunk after them"),
    ("track_length_zero", header() + chunk(b"MTrk", b"", length=0), "warning", "missing end-of-track"),
    ("tracks_declared_too_many", header(ntrks=65535) + GOOD_TRACK, "warning", "declares 65535 tracks"),
    ("unknown_chunk_huge", header() + GOOD_TRACK + chunk(b"XFIH", b"abcd", length=0x7FFFFFFF),
     "warning", "rest of the file ignored"),
    ("stray_bytes", header() + GOOD_TRACK + b"\x01\x02\x03", "warning", "3 stray bytes"),
    # Bad events.
    ("running_status_at_start", header() + chunk(b"MTrk", b"\x00\x3c\x40" + EOT),
     "warning", "no running status here"),
    ("data_after_meta", header() + chunk(b"MTrk", b"\x00\x90\x3c\x40\x00\xff\x01\x01x\x00\x3e\x40" + EOT),
     "warning", "running status 0x90 continued after a meta event"),
    ("data_after_sysex", header() + chunk(b"MTrk", b"\x00\x90\x3c\x40\x00\xf0\x02\x7e\xf7\x00\x3e\x40" + EOT),
     "warning", "running status 0x90 continued after a sysex event"),
    ("varint_too_long", header() + chunk(b"MTrk", NOTES + b"\x81\x81\x81\x81\x00\x90\x3c\x40" + EOT),
     "warning", "delta time longer than 4 bytes"),
    ("varint_truncated", header() + chunk(b"MTrk", NOTES + b"\x81\x81"), "warning", "truncated event (delta time)"),
    ("meta_length_too_long", header() + chunk(b"MTrk", NOTES + b"\x00\xff\x01\x8f\x8f\x8f\x8f\x00" + EOT),
     "warning", "meta length longer than 4 bytes"),
    ("sysex_length_huge", header() + chunk(b"MTrk", NOTES + b"\x00\xf0\xff\xff\xff\x7f\x01\x02" + EOT),
     "warning", "truncated sysex"),
    ("meta_length_huge", header() + chunk(b"MTrk", NOTES + b"\x00\xff\x03\xff\xff\xff\x7fab" + EOT),
     "warning", "truncated meta event"),
    ("meta_type_only", header() + chunk(b"MTrk", NOTES + b"\x00\xff"), "warning", "truncated meta event"),
    ("status_only", header() + chunk(b"MTrk", NOTES + b"\x00\x90"), "warning", "truncated channel message"),
    ("status_in_data", header() + chunk(b"MTrk", NOTES + b"\x00\x90\x3c\x90\x3c\x40" + EOT),
     "warning", "status byte where a data byte"),
    ("system_common", header() + chunk(b"MTrk", NOTES + b"\x00\xf2\x01\x02" + EOT), "warning",
     "status 0xF2 (song position) is not allowed in a MIDI file; skipped with its 2 data bytes"),
    ("realtime_byte", header() + chunk(b"MTrk", NOTES + b"\x00\xf8" + EOT), "warning",
     "status 0xF8 (timing clock) is not allowed in a MIDI file; skipped"),
    ("missing_eot", header() + chunk(b"MTrk", NOTES), "warning", "missing end-of-track"),
    ("tempo_zero", header() + chunk(b"MTrk", b"\x00\xff\x51\x03\x00\x00\x00" + NOTES + EOT),
     "warning", "tempo of 0 microseconds"),
    ("tempo_bad_length", header() + chunk(b"MTrk", b"\x00\xff\x51\x02\x07\xa1" + NOTES + EOT),
     "warning", "tempo event of length 2"),
    ("divided_sysex", header() + chunk(b"MTrk", b"\x00\xf0\x03\x43\x12\x00\x10\xf7\x02\x34\xf7" + NOTES + EOT),
     "warning", "divided sysex"),
]


def main():
    if len(sys.argv) != 2 or sys.argv[1].startswith("-"):
        sys.exit("usage: make-midi-broken.py OUT")
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name in os.listdir(out):
        if name.endswith(".mid"):
            os.remove(os.path.join(out, name))
    with open(os.path.join(out, "expected.tsv"), "w") as tsv:
        tsv.write("file\toutcome\ttext\n")
        for name, data, outcome, text in cases:
            with open(os.path.join(out, name + ".mid"), "wb") as f:
                f.write(data)
            tsv.write(f"{name}.mid\t{outcome}\t{text}\n")


if __name__ == "__main__":
    main()
