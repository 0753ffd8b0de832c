#!/usr/bin/env bash
# Regenerates the CLI quick-start samples (samples/) and the speech fixtures of the simulator's
# speech detector tests (test/fixtures/speech/). Documentation of how the committed files were
# made: CI does not run it and the tests never need these tools.
#
# Needs: espeak-ng 1.51, sox 14.4, node >= 20, ImageMagick (convert) for samples/frame.jpg.
# Output is deterministic for a given espeak-ng/sox version (sox runs with -D: no dither).
set -euo pipefail
cd "$(dirname "$0")/.."

FIX=test/fixtures/speech
SAMPLES=samples
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$FIX" "$SAMPLES"

# Prints "first last total" sample indices of a mono 16-bit WAV: the first and last sample whose
# magnitude reaches 1 % of the file's peak (-40 dB re peak), i.e. where audible speech begins/ends.
bounds() {
  sox -D "$1" -t raw -e signed -b 16 -c 1 - | node -e '
    const b = require("fs").readFileSync(0); const n = b.length >> 1; let peak = 0;
    for (let i = 0; i < n; i++) peak = Math.max(peak, Math.abs(b.readInt16LE(2 * i)));
    const t = peak * 0.01; let f = -1, l = -1;
    for (let i = 0; i < n; i++) if (Math.abs(b.readInt16LE(2 * i)) >= t) { if (f < 0) f = i; l = i; }
    console.log(f, l, n);'
}

# speak VOICE TEXT OUT RATE: espeak-ng at 150 wpm, converted to RATE Hz mono 16-bit, trimmed to
# the audible speech (so the padding added later is the exact silence around it) and normalised
# to a -6 dBFS peak.
speak() {
  local voice=$1 text=$2 out=$3 rate=$4
  espeak-ng -v "$voice" -s 150 -w "$TMP/raw.wav" "$text"
  sox -D "$TMP/raw.wav" -r "$rate" -c 1 -b 16 "$TMP/conv.wav"
  read -r first last _ < <(bounds "$TMP/conv.wav")
  sox -D "$TMP/conv.wav" "$out" trim "${first}s" "=$((last + 1))s" gain -n -6
}

ms() { soxi -D "$1" | awk '{ printf "%d", $1 * 1000 + 0.5 }'; }

# --- speech fixtures (16 kHz mono 16-bit unless the name says otherwise) -----------------------
speak en-us "What is the weather in Hangzhou today?" "$TMP/weather.wav" 16000
speak en-us+f3 "Hello! Can you hear me?" "$TMP/hello-f.wav" 16000
speak en-us "Turn on the lights." "$TMP/p1.wav" 16000
speak en-us "And close the window." "$TMP/p2.wav" 16000

sox -D "$TMP/weather.wav" "$FIX/weather.wav" pad 1.00 1.50
sox -D "$TMP/hello-f.wav" "$FIX/hello-female.wav" pad 1.00 1.50
sox -D "$TMP/weather.wav" "$FIX/quiet.wav" gain -n -30 pad 1.00 1.50
# Pink noise at about -50 dBFS RMS under the whole file (speech at its normal -6 dBFS peak).
WLEN=$(soxi -D "$FIX/weather.wav")
sox -D -R -n -r 16000 -c 1 -b 16 "$TMP/noise.wav" synth "$WLEN" pinknoise vol 0.0163
sox -D -m -v 1 "$FIX/weather.wav" -v 1 "$TMP/noise.wav" "$FIX/noisy.wav"
for gap in 0.4 1.2; do
  sox -D -n -r 16000 -c 1 -b 16 "$TMP/gap.wav" trim 0 "$gap"
  sox -D "$TMP/p1.wav" "$TMP/gap.wav" "$TMP/p2.wav" "$FIX/gap-${gap/./}s.wav" pad 1.00 1.50
done
declare -A SHORT
for rate in 8000 16000 24000 48000; do
  speak en-us "Hello there." "$TMP/short.wav" "$rate"
  SHORT[$rate]=$(ms "$TMP/short.wav")
  sox -D "$TMP/short.wav" "$FIX/hello-${rate%000}k.wav" pad 0.50 1.00
done

# Sidecar with the expected boundaries (ms on each file's timeline).
W=$(ms "$TMP/weather.wav"); H=$(ms "$TMP/hello-f.wav"); P1=$(ms "$TMP/p1.wav"); P2=$(ms "$TMP/p2.wav")
node -e '
  const [w, h, p1, p2] = process.argv.slice(1).map(Number);
  const sp = (file, onsetMs, offsetMs, extra = {}) => ({ file, sampleRate: 16000, segments: [{ onsetMs, offsetMs }], ...extra });
  const gap = (g) => ({ file: `gap-${String(g).replace(".", "")}s.wav`, sampleRate: 16000, gapMs: g * 1000,
    segments: [{ onsetMs: 1000, offsetMs: 1000 + p1 }, { onsetMs: 1000 + p1 + g * 1000, offsetMs: 1000 + p1 + g * 1000 + p2 }] });
  const out = {
    description: "Expected speech boundaries (ms from the first sample). See README.md.",
    fixtures: [
      sp("weather.wav", 1000, 1000 + w, { text: "What is the weather in Hangzhou today?" }),
      sp("hello-female.wav", 1000, 1000 + h, { text: "Hello! Can you hear me?" }),
      sp("quiet.wav", 1000, 1000 + w, { peakDbfs: -30 }),
      sp("noisy.wav", 1000, 1000 + w, { noiseDbfs: -50 }),
      gap(0.4), gap(1.2),
    ],
  };
  console.log(JSON.stringify(out, null, 2));' "$W" "$H" "$P1" "$P2" > "$TMP/fixtures.json"
node -e '
  const fs = require("fs"); const j = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
  for (const r of [8, 16, 24, 48]) {
    const len = Math.round(Number(process.argv[2 + [8, 16, 24, 48].indexOf(r)]));
    j.fixtures.push({ file: `hello-${r}k.wav`, sampleRate: r * 1000, text: "Hello there.", segments: [{ onsetMs: 500, offsetMs: 500 + len }] });
  }
  fs.writeFileSync(process.argv[1], JSON.stringify(j, null, 2) + "\n");' "$TMP/fixtures.json" \
  "${SHORT[8000]}" "${SHORT[16000]}" "${SHORT[24000]}" "${SHORT[48000]}"
cp "$TMP/fixtures.json" "$FIX/fixtures.json"

# --- CLI quick-start samples -------------------------------------------------------------------
# question.wav: 16 kHz mono 16-bit (173 KB). The CLI tests make a 44.1 kHz stereo copy of it at
# run time to exercise conversion, so the committed file stays small.
speak en-us "Hello! What can you tell me about the weather in Hangzhou today?" "$TMP/q.wav" 44100
sox -D "$TMP/q.wav" -r 16000 -c 1 -b 16 "$SAMPLES/question.wav" pad 0.30 1.00
# frame.jpg: a small real JPEG (320x240): sky, sun, lake and a caption.
convert -size 320x240 gradient:'#7fb2e5-#e8f1fb' \
  -fill '#f5c542' -draw 'circle 250,60 250,88' \
  -fill '#3d7a57' -draw 'polygon 0,170 70,110 140,160 210,100 320,165 320,240 0,240' \
  -fill '#2f6690' -draw 'rectangle 0,190 320,240' \
  -fill white -pointsize 18 -draw "text 12,228 'West Lake, Hangzhou'" \
  -strip -sampling-factor 4:2:0 -quality 82 "$SAMPLES/frame.jpg"
cat > "$SAMPLES/tools.json" <<'JSON'
[
  {
    "type": "function",
    "function": {
      "name": "get_current_weather",
      "description": "Get the current weather for a city.",
      "parameters": {
        "type": "object",
        "properties": {
          "location": { "type": "string", "description": "City name, e.g. Hangzhou" }
        },
        "required": ["location"]
      }
    }
  }
]
JSON
ls -l "$FIX" "$SAMPLES"
