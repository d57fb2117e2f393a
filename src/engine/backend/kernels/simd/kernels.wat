;; Hand-written WebAssembly SIMD kernels for the wasm fallback's training hot spots.
;; The module imports tfjs-backend-wasm's own memory, so it reads and writes tensors in place:
;; every pointer below is a byte offset into that heap, as tfjs's dataIdMap records it.
;; Build: node --import tsx scripts/build-simd.ts (writes kernels-wasm.ts beside this file).
(module
  (import "env" "memory" (memory 1))

  ;; Weight gradient of a convolution with ONE input channel (a model's first layer):
  ;;   out[i, j, q] = sum over b, r, c of x[b, r*s + i, c*s + j] * dy[b, r, c, q]
  ;; x: [n, hp, wp] already padded; dy: [n, oh, ow, co]; out: [kh, kw, co]; co % 4 == 0.
  ;; One pass over dy with kh*kw*co accumulators in `out` (L1-resident: 1.2 KB for 3x3x32),
  ;; instead of packing the 11 MB dy as a filter for XNNPACK.
  (func (export "conv_filter_grad_c1")
    (param $x i32) (param $dy i32) (param $out i32)
    (param $n i32) (param $hp i32) (param $wp i32) (param $oh i32) (param $ow i32)
    (param $kh i32) (param $kw i32) (param $s i32) (param $co i32)
    (local $b i32) (local $r i32) (local $c i32) (local $i i32) (local $j i32) (local $q i32)
    (local $cob i32) (local $xb i32) (local $xrow i32) (local $op i32) (local $xv v128)
    (local.set $cob (i32.shl (local.get $co) (i32.const 2)))
    (memory.fill (local.get $out) (i32.const 0)
      (i32.mul (i32.mul (local.get $kh) (local.get $kw)) (local.get $cob)))
    (local.set $b (i32.const 0))
    (block $bdone (loop $bloop
      (br_if $bdone (i32.ge_u (local.get $b) (local.get $n)))
      (local.set $r (i32.const 0))
      (block $rdone (loop $rloop
        (br_if $rdone (i32.ge_u (local.get $r) (local.get $oh)))
        (local.set $c (i32.const 0))
        (block $cdone (loop $cloop
          (br_if $cdone (i32.ge_u (local.get $c) (local.get $ow)))
          ;; xb = &x[b, r*s, c*s]
          (local.set $xb (i32.add (local.get $x) (i32.shl
            (i32.add
              (i32.mul (i32.add (i32.mul (local.get $b) (local.get $hp)) (i32.mul (local.get $r) (local.get $s))) (local.get $wp))
              (i32.mul (local.get $c) (local.get $s)))
            (i32.const 2))))
          (local.set $op (local.get $out))
          (local.set $i (i32.const 0))
          (block $idone (loop $iloop
            (br_if $idone (i32.ge_u (local.get $i) (local.get $kh)))
            (local.set $xrow (i32.add (local.get $xb) (i32.shl (i32.mul (local.get $i) (local.get $wp)) (i32.const 2))))
            (local.set $j (i32.const 0))
            (block $jdone (loop $jloop
              (br_if $jdone (i32.ge_u (local.get $j) (local.get $kw)))
              (local.set $xv (f32x4.splat (f32.load (i32.add (local.get $xrow) (i32.shl (local.get $j) (i32.const 2))))))
              (local.set $q (i32.const 0))
              (block $qdone (loop $qloop
                (br_if $qdone (i32.ge_u (local.get $q) (local.get $cob)))
                (v128.store (i32.add (local.get $op) (local.get $q))
                  (f32x4.add
                    (v128.load (i32.add (local.get $op) (local.get $q)))
                    (f32x4.mul (local.get $xv) (v128.load (i32.add (local.get $dy) (local.get $q))))))
                (local.set $q (i32.add (local.get $q) (i32.const 16)))
                (br $qloop)))
              (local.set $op (i32.add (local.get $op) (local.get $cob)))
              (local.set $j (i32.add (local.get $j) (i32.const 1)))
              (br $jloop)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $iloop)))
          (local.set $dy (i32.add (local.get $dy) (local.get $cob)))
          (local.set $c (i32.add (local.get $c) (i32.const 1)))
          (br $cloop)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rloop)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $bloop)))
  )

  ;; Weight gradient of a stride-1 convolution with any padding and several input channels:
  ;;   out[i, j, ci, co] = sum over b, r, c of x[b, r + i - pt, c + j - pl, ci] * dy[b, r, c, co]
  ;; x: [n, h, w, ci] unpadded; dy: [n, oh, ow, co]; out: [kh, kw, ci, co]; ci % 4 == 0, co % 8 == 0
  ;; (the caller pads odd channel counts). Per tap (i, j) this is a small matrix product
  ;; (ci x pixels) . (pixels x co), so it is blocked like a GEMM: 4 input channels x 8 output
  ;; channels = 8 accumulators held in registers while a block of pixels streams by, each x value
  ;; loaded once as a splat and used for 2 vector multiply-adds, each dy vector used 4 times.
  ;; Pixels come in blocks of `rb` output rows of one image, so the x and dy rows a block reads stay
  ;; in L1 while every tap and channel block sweeps over them. Padding is handled by clipping each
  ;; tap's row and column range once per block, never by a branch per pixel.
  ;; The multiply-adds between the @madd markers become relaxed_madd (FMA) in the relaxed build.
  (func (export "conv_filter_grad")
    (param $x i32) (param $dy i32) (param $out i32)
    (param $n i32) (param $h i32) (param $w i32) (param $ci i32)
    (param $oh i32) (param $ow i32) (param $co i32)
    (param $kh i32) (param $kw i32) (param $pt i32) (param $pl i32) (param $rb i32)
    (local $cib i32) (local $cob i32) (local $xrow i32) (local $dyrow i32) (local $tapb i32)
    (local $b i32) (local $xb i32) (local $dyb i32) (local $r0 i32) (local $r1 i32)
    (local $i i32) (local $j i32) (local $ra i32) (local $rz i32) (local $ca i32) (local $cz i32)
    (local $tap i32) (local $x0 i32) (local $d0 i32) (local $rows i32) (local $span i32)
    (local $q i32) (local $p i32) (local $ap i32) (local $xr i32) (local $dr i32) (local $rr i32)
    (local $xp i32) (local $dp i32) (local $dend i32)
    (local $a00 v128) (local $a01 v128) (local $a10 v128) (local $a11 v128)
    (local $a20 v128) (local $a21 v128) (local $a30 v128) (local $a31 v128)
    (local $v0 v128) (local $v1 v128) (local $s v128)
    (local.set $cib (i32.shl (local.get $ci) (i32.const 2)))
    (local.set $cob (i32.shl (local.get $co) (i32.const 2)))
    (local.set $xrow (i32.mul (local.get $w) (local.get $cib)))
    (local.set $dyrow (i32.mul (local.get $ow) (local.get $cob)))
    (local.set $tapb (i32.mul (local.get $ci) (local.get $cob)))
    (if (i32.lt_s (local.get $rb) (i32.const 1)) (then (local.set $rb (i32.const 1))))
    (memory.fill (local.get $out) (i32.const 0)
      (i32.mul (i32.mul (local.get $kh) (local.get $kw)) (local.get $tapb)))
    (local.set $b (i32.const 0))
    (block $bdone (loop $bloop
      (br_if $bdone (i32.ge_u (local.get $b) (local.get $n)))
      (local.set $xb (i32.add (local.get $x) (i32.mul (local.get $b) (i32.mul (local.get $h) (local.get $xrow)))))
      (local.set $dyb (i32.add (local.get $dy) (i32.mul (local.get $b) (i32.mul (local.get $oh) (local.get $dyrow)))))
      (local.set $r0 (i32.const 0))
      (block $r0done (loop $r0loop
        (br_if $r0done (i32.ge_s (local.get $r0) (local.get $oh)))
        (local.set $r1 (i32.add (local.get $r0) (local.get $rb)))
        (if (i32.gt_s (local.get $r1) (local.get $oh)) (then (local.set $r1 (local.get $oh))))
        (local.set $i (i32.const 0))
        (block $idone (loop $iloop
          (br_if $idone (i32.ge_s (local.get $i) (local.get $kh)))
          ;; Output rows of this block whose input row r + i - pt lies inside x.
          (local.set $ra (i32.sub (local.get $pt) (local.get $i)))
          (if (i32.lt_s (local.get $ra) (local.get $r0)) (then (local.set $ra (local.get $r0))))
          (local.set $rz (i32.sub (i32.add (local.get $h) (local.get $pt)) (local.get $i)))
          (if (i32.gt_s (local.get $rz) (local.get $r1)) (then (local.set $rz (local.get $r1))))
          (if (i32.lt_s (local.get $ra) (local.get $rz)) (then
            (local.set $rows (i32.sub (local.get $rz) (local.get $ra)))
            (local.set $j (i32.const 0))
            (block $jdone (loop $jloop
              (br_if $jdone (i32.ge_s (local.get $j) (local.get $kw)))
              ;; Output columns whose input column c + j - pl lies inside x.
              (local.set $ca (i32.sub (local.get $pl) (local.get $j)))
              (if (i32.lt_s (local.get $ca) (i32.const 0)) (then (local.set $ca (i32.const 0))))
              (local.set $cz (i32.sub (i32.add (local.get $w) (local.get $pl)) (local.get $j)))
              (if (i32.gt_s (local.get $cz) (local.get $ow)) (then (local.set $cz (local.get $ow))))
              (if (i32.lt_s (local.get $ca) (local.get $cz)) (then
                (local.set $span (i32.mul (i32.sub (local.get $cz) (local.get $ca)) (local.get $cob)))
                (local.set $tap (i32.add (local.get $out)
                  (i32.mul (i32.add (i32.mul (local.get $i) (local.get $kw)) (local.get $j)) (local.get $tapb))))
                ;; x0 = &x[b, ra + i - pt, ca + j - pl, 0]; d0 = &dy[b, ra, ca, 0]
                (local.set $x0 (i32.add (local.get $xb) (i32.add
                  (i32.mul (i32.sub (i32.add (local.get $ra) (local.get $i)) (local.get $pt)) (local.get $xrow))
                  (i32.mul (i32.sub (i32.add (local.get $ca) (local.get $j)) (local.get $pl)) (local.get $cib)))))
                (local.set $d0 (i32.add (local.get $dyb) (i32.add
                  (i32.mul (local.get $ra) (local.get $dyrow))
                  (i32.mul (local.get $ca) (local.get $cob)))))
                (local.set $q (i32.const 0))
                (block $qdone (loop $qloop
                  (br_if $qdone (i32.ge_u (local.get $q) (local.get $cib)))
                  (local.set $p (i32.const 0))
                  (block $pdone (loop $ploop
                    (br_if $pdone (i32.ge_u (local.get $p) (local.get $cob)))
                    ;; ap = &out[i, j, q/4, p/4]; the four input channels' rows are cob apart.
                    (local.set $ap (i32.add (local.get $tap) (i32.add (i32.mul (local.get $q) (local.get $co)) (local.get $p))))
                    (local.set $a00 (v128.load (local.get $ap)))
                    (local.set $a01 (v128.load offset=16 (local.get $ap)))
                    (local.set $ap (i32.add (local.get $ap) (local.get $cob)))
                    (local.set $a10 (v128.load (local.get $ap)))
                    (local.set $a11 (v128.load offset=16 (local.get $ap)))
                    (local.set $ap (i32.add (local.get $ap) (local.get $cob)))
                    (local.set $a20 (v128.load (local.get $ap)))
                    (local.set $a21 (v128.load offset=16 (local.get $ap)))
                    (local.set $ap (i32.add (local.get $ap) (local.get $cob)))
                    (local.set $a30 (v128.load (local.get $ap)))
                    (local.set $a31 (v128.load offset=16 (local.get $ap)))
                    (local.set $xr (i32.add (local.get $x0) (local.get $q)))
                    (local.set $dr (i32.add (local.get $d0) (local.get $p)))
                    (local.set $rr (local.get $rows))
                    (loop $rowloop
                      (local.set $xp (local.get $xr))
                      (local.set $dp (local.get $dr))
                      (local.set $dend (i32.add (local.get $dr) (local.get $span)))
                      (loop $pxloop
                        (local.set $v0 (v128.load (local.get $dp)))
                        (local.set $v1 (v128.load offset=16 (local.get $dp)))
                        ;; @madd-begin
                        (local.set $s (v128.load32_splat (local.get $xp)))
                        (local.set $a00 (f32x4.add (local.get $a00) (f32x4.mul (local.get $s) (local.get $v0))))
                        (local.set $a01 (f32x4.add (local.get $a01) (f32x4.mul (local.get $s) (local.get $v1))))
                        (local.set $s (v128.load32_splat offset=4 (local.get $xp)))
                        (local.set $a10 (f32x4.add (local.get $a10) (f32x4.mul (local.get $s) (local.get $v0))))
                        (local.set $a11 (f32x4.add (local.get $a11) (f32x4.mul (local.get $s) (local.get $v1))))
                        (local.set $s (v128.load32_splat offset=8 (local.get $xp)))
                        (local.set $a20 (f32x4.add (local.get $a20) (f32x4.mul (local.get $s) (local.get $v0))))
                        (local.set $a21 (f32x4.add (local.get $a21) (f32x4.mul (local.get $s) (local.get $v1))))
                        (local.set $s (v128.load32_splat offset=12 (local.get $xp)))
                        (local.set $a30 (f32x4.add (local.get $a30) (f32x4.mul (local.get $s) (local.get $v0))))
                        (local.set $a31 (f32x4.add (local.get $a31) (f32x4.mul (local.get $s) (local.get $v1))))
                        ;; @madd-end
                        (local.set $xp (i32.add (local.get $xp) (local.get $cib)))
                        (local.set $dp (i32.add (local.get $dp) (local.get $cob)))
                        (br_if $pxloop (i32.lt_u (local.get $dp) (local.get $dend))))
                      (local.set $xr (i32.add (local.get $xr) (local.get $xrow)))
                      (local.set $dr (i32.add (local.get $dr) (local.get $dyrow)))
                      (local.set $rr (i32.sub (local.get $rr) (i32.const 1)))
                      (br_if $rowloop (local.get $rr)))
                    (local.set $ap (i32.add (local.get $tap) (i32.add (i32.mul (local.get $q) (local.get $co)) (local.get $p))))
                    (v128.store (local.get $ap) (local.get $a00))
                    (v128.store offset=16 (local.get $ap) (local.get $a01))
                    (local.set $ap (i32.add (local.get $ap) (local.get $cob)))
                    (v128.store (local.get $ap) (local.get $a10))
                    (v128.store offset=16 (local.get $ap) (local.get $a11))
                    (local.set $ap (i32.add (local.get $ap) (local.get $cob)))
                    (v128.store (local.get $ap) (local.get $a20))
                    (v128.store offset=16 (local.get $ap) (local.get $a21))
                    (local.set $ap (i32.add (local.get $ap) (local.get $cob)))
                    (v128.store (local.get $ap) (local.get $a30))
                    (v128.store offset=16 (local.get $ap) (local.get $a31))
                    (local.set $p (i32.add (local.get $p) (i32.const 32)))
                    (br $ploop)))
                  (local.set $q (i32.add (local.get $q) (i32.const 16)))
                  (br $qloop)))))
              (local.set $j (i32.add (local.get $j) (i32.const 1)))
              (br $jloop)))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $iloop)))
        (local.set $r0 (local.get $r1))
        (br $r0loop)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $bloop)))
  )

  ;; Forward 2-D convolution, stride 1, of an already padded input:
  ;;   out[b, r, c, co] = sum over i, j, ci of x[b, r + i, c + j, ci] * w[i, j, ci, co]
  ;; x: [n, hp, wp, ci]; w: [kh, kw, ci, co]; out: [n, oh, ow, co]; co % 16 == 0. For one tap row
  ;; i, a pixel's (j, ci) inputs are contiguous in x and their weights are co apart in w, so one
  ;; loop of kw*ci steps covers the row. Register block: 2 output pixels x 16 output channels
  ;; (8 accumulators); each step loads 4 weight vectors (used twice) and 2 input splats (each
  ;; used 4 times). An odd last pixel runs the same loop with its accumulators alone.
  (func (export "conv2d_s1")
    (param $x i32) (param $wt i32) (param $out i32)
    (param $n i32) (param $hp i32) (param $wp i32) (param $ci i32)
    (param $oh i32) (param $ow i32) (param $co i32) (param $kh i32) (param $kw i32)
    (local $cib i32) (local $cob i32) (local $xrow i32) (local $span i32)
    (local $b i32) (local $r i32) (local $p i32) (local $c i32) (local $i i32) (local $two i32)
    (local $xr i32) (local $x0 i32) (local $x1 i32) (local $wq i32) (local $q i32) (local $op i32)
    (local $a00 v128) (local $a01 v128) (local $a02 v128) (local $a03 v128)
    (local $a10 v128) (local $a11 v128) (local $a12 v128) (local $a13 v128)
    (local $w0 v128) (local $w1 v128) (local $w2 v128) (local $w3 v128) (local $s v128)
    (local.set $cib (i32.shl (local.get $ci) (i32.const 2)))
    (local.set $cob (i32.shl (local.get $co) (i32.const 2)))
    (local.set $xrow (i32.mul (local.get $wp) (local.get $cib)))
    (local.set $span (i32.mul (local.get $kw) (local.get $cib)))
    (local.set $op (local.get $out))
    (local.set $b (i32.const 0))
    (block $bdone (loop $bloop
      (br_if $bdone (i32.ge_u (local.get $b) (local.get $n)))
      (local.set $r (i32.const 0))
      (block $rdone (loop $rloop
        (br_if $rdone (i32.ge_u (local.get $r) (local.get $oh)))
        ;; xr = &x[b, r, 0, 0]
        (local.set $xr (i32.add (local.get $x)
          (i32.mul (i32.add (i32.mul (local.get $b) (local.get $hp)) (local.get $r)) (local.get $xrow))))
        (local.set $p (i32.const 0))
        (block $pdone (loop $ploop
          (br_if $pdone (i32.ge_u (local.get $p) (local.get $cob)))
          (local.set $c (i32.const 0))
          (block $cdone (loop $cloop
            (br_if $cdone (i32.ge_u (local.get $c) (local.get $ow)))
            ;; Two pixels unless only one is left (then the second accumulators are discarded
            ;; and the second pixel's input pointer repeats the first, staying inside x).
            (local.set $two (i32.lt_u (i32.add (local.get $c) (i32.const 1)) (local.get $ow)))
            (local.set $a00 (v128.const i64x2 0 0)) (local.set $a01 (v128.const i64x2 0 0))
            (local.set $a02 (v128.const i64x2 0 0)) (local.set $a03 (v128.const i64x2 0 0))
            (local.set $a10 (v128.const i64x2 0 0)) (local.set $a11 (v128.const i64x2 0 0))
            (local.set $a12 (v128.const i64x2 0 0)) (local.set $a13 (v128.const i64x2 0 0))
            (local.set $x0 (i32.add (local.get $xr) (i32.mul (local.get $c) (local.get $cib))))
            (local.set $x1 (select (i32.add (local.get $x0) (local.get $cib)) (local.get $x0) (local.get $two)))
            (local.set $wq (i32.add (local.get $wt) (local.get $p)))
            (local.set $i (i32.const 0))
            (block $idone (loop $iloop
              (br_if $idone (i32.ge_u (local.get $i) (local.get $kh)))
              (local.set $q (i32.const 0))
              (loop $qloop
                (local.set $w0 (v128.load (local.get $wq)))
                (local.set $w1 (v128.load offset=16 (local.get $wq)))
                (local.set $w2 (v128.load offset=32 (local.get $wq)))
                (local.set $w3 (v128.load offset=48 (local.get $wq)))
                ;; @madd-begin
                (local.set $s (v128.load32_splat (i32.add (local.get $x0) (local.get $q))))
                (local.set $a00 (f32x4.add (local.get $a00) (f32x4.mul (local.get $s) (local.get $w0))))
                (local.set $a01 (f32x4.add (local.get $a01) (f32x4.mul (local.get $s) (local.get $w1))))
                (local.set $a02 (f32x4.add (local.get $a02) (f32x4.mul (local.get $s) (local.get $w2))))
                (local.set $a03 (f32x4.add (local.get $a03) (f32x4.mul (local.get $s) (local.get $w3))))
                (local.set $s (v128.load32_splat (i32.add (local.get $x1) (local.get $q))))
                (local.set $a10 (f32x4.add (local.get $a10) (f32x4.mul (local.get $s) (local.get $w0))))
                (local.set $a11 (f32x4.add (local.get $a11) (f32x4.mul (local.get $s) (local.get $w1))))
                (local.set $a12 (f32x4.add (local.get $a12) (f32x4.mul (local.get $s) (local.get $w2))))
                (local.set $a13 (f32x4.add (local.get $a13) (f32x4.mul (local.get $s) (local.get $w3))))
                ;; @madd-end
                (local.set $wq (i32.add (local.get $wq) (local.get $cob)))
                (local.set $q (i32.add (local.get $q) (i32.const 4)))
                (br_if $qloop (i32.lt_u (local.get $q) (local.get $span))))
              ;; Next tap row: x one row down; wq already advanced by kw*ci weight rows.
              (local.set $x0 (i32.add (local.get $x0) (local.get $xrow)))
              (local.set $x1 (i32.add (local.get $x1) (local.get $xrow)))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br $iloop)))
            ;; op = &out[b, r, c, p]
            (local.set $op (i32.add (i32.add (local.get $out) (local.get $p))
              (i32.mul
                (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $oh)) (local.get $r)) (local.get $ow)) (local.get $c))
                (local.get $cob))))
            (v128.store (local.get $op) (local.get $a00))
            (v128.store offset=16 (local.get $op) (local.get $a01))
            (v128.store offset=32 (local.get $op) (local.get $a02))
            (v128.store offset=48 (local.get $op) (local.get $a03))
            (if (local.get $two) (then
              (local.set $op (i32.add (local.get $op) (local.get $cob)))
              (v128.store (local.get $op) (local.get $a10))
              (v128.store offset=16 (local.get $op) (local.get $a11))
              (v128.store offset=32 (local.get $op) (local.get $a12))
              (v128.store offset=48 (local.get $op) (local.get $a13))))
            (local.set $c (i32.add (local.get $c) (i32.const 2)))
            (br $cloop)))
          (local.set $p (i32.add (local.get $p) (i32.const 64)))
          (br $ploop)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rloop)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $bloop)))
  )

  ;; Gradient of a 2x2, stride 2, unpadded max-pool: dy goes to each window's first strict
  ;; maximum in scan order starting from -Infinity (the cpu backend's rule: ties go to the
  ;; first, NaN never wins), zero elsewhere. x, dx: [n, h, w, c]; dy: [n, oh, ow, c]; c % 4 == 0.
  (func (export "max_pool_grad_2x2")
    (param $x i32) (param $dy i32) (param $dx i32)
    (param $n i32) (param $h i32) (param $w i32) (param $oh i32) (param $ow i32) (param $c i32)
    (local $b i32) (local $i i32) (local $j i32) (local $q i32) (local $cb i32) (local $rowb i32)
    (local $off i32) (local $p00 i32) (local $d00 i32)
    (local $a v128) (local $bv v128) (local $d v128) (local $e v128) (local $m v128) (local $g v128)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128) (local $none23 v128)
    (local.set $cb (i32.shl (local.get $c) (i32.const 2)))
    (local.set $rowb (i32.mul (local.get $w) (local.get $cb)))
    ;; Rows or columns no window covers (odd sizes) get no gradient.
    (if (i32.or
          (i32.ne (local.get $h) (i32.shl (local.get $oh) (i32.const 1)))
          (i32.ne (local.get $w) (i32.shl (local.get $ow) (i32.const 1))))
      (then (memory.fill (local.get $dx) (i32.const 0)
        (i32.mul (i32.mul (local.get $n) (local.get $h)) (local.get $rowb)))))
    (local.set $b (i32.const 0))
    (block $bdone (loop $bloop
      (br_if $bdone (i32.ge_u (local.get $b) (local.get $n)))
      (local.set $i (i32.const 0))
      (block $idone (loop $iloop
        (br_if $idone (i32.ge_u (local.get $i) (local.get $oh)))
        (local.set $j (i32.const 0))
        (block $jdone (loop $jloop
          (br_if $jdone (i32.ge_u (local.get $j) (local.get $ow)))
          ;; off = byte offset of [b, 2i, 2j, 0]
          (local.set $off (i32.add
            (i32.mul (i32.add (i32.mul (local.get $b) (local.get $h)) (i32.shl (local.get $i) (i32.const 1))) (local.get $rowb))
            (i32.mul (i32.shl (local.get $j) (i32.const 1)) (local.get $cb))))
          (local.set $p00 (i32.add (local.get $x) (local.get $off)))
          (local.set $d00 (i32.add (local.get $dx) (local.get $off)))
          (local.set $q (i32.const 0))
          (block $qdone (loop $qloop
            (br_if $qdone (i32.ge_u (local.get $q) (local.get $cb)))
            (local.set $a (v128.load (i32.add (local.get $p00) (local.get $q))))
            (local.set $bv (v128.load (i32.add (i32.add (local.get $p00) (local.get $cb)) (local.get $q))))
            (local.set $d (v128.load (i32.add (i32.add (local.get $p00) (local.get $rowb)) (local.get $q))))
            (local.set $e (v128.load (i32.add (i32.add (i32.add (local.get $p00) (local.get $rowb)) (local.get $cb)) (local.get $q))))
            (local.set $m (f32x4.splat (f32.const -inf)))
            (local.set $s0 (f32x4.gt (local.get $a) (local.get $m)))
            (local.set $m (v128.bitselect (local.get $a) (local.get $m) (local.get $s0)))
            (local.set $s1 (f32x4.gt (local.get $bv) (local.get $m)))
            (local.set $m (v128.bitselect (local.get $bv) (local.get $m) (local.get $s1)))
            (local.set $s2 (f32x4.gt (local.get $d) (local.get $m)))
            (local.set $m (v128.bitselect (local.get $d) (local.get $m) (local.get $s2)))
            (local.set $s3 (f32x4.gt (local.get $e) (local.get $m)))
            (local.set $g (v128.load (local.get $dy)))
            ;; The last position that beat the running maximum wins.
            (v128.store (i32.add (i32.add (i32.add (local.get $d00) (local.get $rowb)) (local.get $cb)) (local.get $q))
              (v128.and (local.get $g) (local.get $s3)))
            (v128.store (i32.add (i32.add (local.get $d00) (local.get $rowb)) (local.get $q))
              (v128.and (local.get $g) (v128.andnot (local.get $s2) (local.get $s3))))
            (local.set $none23 (v128.not (v128.or (local.get $s2) (local.get $s3))))
            (v128.store (i32.add (i32.add (local.get $d00) (local.get $cb)) (local.get $q))
              (v128.and (local.get $g) (v128.and (local.get $s1) (local.get $none23))))
            (v128.store (i32.add (local.get $d00) (local.get $q))
              (v128.and (local.get $g) (v128.andnot (v128.and (local.get $s0) (local.get $none23)) (local.get $s1))))
            (local.set $dy (i32.add (local.get $dy) (i32.const 16)))
            (local.set $q (i32.add (local.get $q) (i32.const 16)))
            (br $qloop)))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $jloop)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $iloop)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $bloop)))
  )

  ;; Per-column sums for batch normalization over a [rows, cols] matrix (cols % 4 == 0):
  ;;   acc[q] = sum over r of p[r, q]           acc[cols + q] = sum over r of p[r, q] * (x[r, q] - s[q])
  ;; in float64 (each product of two float32 is exact in float64), into 2 * cols doubles at $acc.
  ;; Forward: p = x, s = x's first row (a shift near the data, so the variance needs no
  ;; subtraction of two large numbers); backward: p = dy, s = the batch mean. One read of p and x.
  (func (export "col_moments")
    (param $p i32) (param $x i32) (param $s i32) (param $acc i32) (param $rows i32) (param $cols i32)
    (local $r i32) (local $q i32) (local $cb i32) (local $ap i32) (local $bp i32)
    (local $pv v128) (local $dv v128) (local $ph v128) (local $dh v128)
    (local.set $cb (i32.shl (local.get $cols) (i32.const 2)))
    (memory.fill (local.get $acc) (i32.const 0) (i32.shl (local.get $cols) (i32.const 4)))
    (block $rdone (loop $rloop
      (br_if $rdone (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $q (i32.const 0))
      (local.set $ap (local.get $acc))
      (local.set $bp (i32.add (local.get $acc) (i32.shl (local.get $cols) (i32.const 3))))
      (block $qdone (loop $qloop
        (br_if $qdone (i32.ge_u (local.get $q) (local.get $cb)))
        (local.set $pv (v128.load (i32.add (local.get $p) (local.get $q))))
        (local.set $dv (f32x4.sub (v128.load (i32.add (local.get $x) (local.get $q)))
                                  (v128.load (i32.add (local.get $s) (local.get $q)))))
        (local.set $ph (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $pv) (local.get $pv)))
        (local.set $dh (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $dv) (local.get $dv)))
        (v128.store (local.get $ap)
          (f64x2.add (v128.load (local.get $ap)) (f64x2.promote_low_f32x4 (local.get $pv))))
        (v128.store offset=16 (local.get $ap)
          (f64x2.add (v128.load offset=16 (local.get $ap)) (f64x2.promote_low_f32x4 (local.get $ph))))
        (v128.store (local.get $bp)
          (f64x2.add (v128.load (local.get $bp))
            (f64x2.mul (f64x2.promote_low_f32x4 (local.get $pv)) (f64x2.promote_low_f32x4 (local.get $dv)))))
        (v128.store offset=16 (local.get $bp)
          (f64x2.add (v128.load offset=16 (local.get $bp))
            (f64x2.mul (f64x2.promote_low_f32x4 (local.get $ph)) (f64x2.promote_low_f32x4 (local.get $dh)))))
        (local.set $ap (i32.add (local.get $ap) (i32.const 32)))
        (local.set $bp (i32.add (local.get $bp) (i32.const 32)))
        (local.set $q (i32.add (local.get $q) (i32.const 16)))
        (br $qloop)))
      (local.set $p (i32.add (local.get $p) (local.get $cb)))
      (local.set $x (i32.add (local.get $x) (local.get $cb)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rloop)))
  )

  ;; Batch normalization's per-column affine pass over [rows, cols] (cols % 4 == 0):
  ;;   out[r, q] = p[r, q] * a[q] + (x[r, q] - s[q]) * b[q] + c[q]
  ;; Forward: p = x, a = 0, s = mean, b = gamma * invStd, c = beta. Backward (the input gradient
  ;; from the closed form): p = dy, a = gamma * invStd, s = mean, b and c from the column sums.
  ;; $coef holds a, s, b, c one after another (4 * cols floats).
  (func (export "col_affine")
    (param $p i32) (param $x i32) (param $coef i32) (param $out i32) (param $rows i32) (param $cols i32)
    (local $r i32) (local $q i32) (local $cb i32) (local $cp i32)
    (local.set $cb (i32.shl (local.get $cols) (i32.const 2)))
    (block $rdone (loop $rloop
      (br_if $rdone (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $q (i32.const 0))
      (block $qdone (loop $qloop
        (br_if $qdone (i32.ge_u (local.get $q) (local.get $cb)))
        (local.set $cp (i32.add (local.get $coef) (local.get $q)))
        (v128.store (i32.add (local.get $out) (local.get $q))
          (f32x4.add
            (f32x4.add
              (f32x4.mul (v128.load (i32.add (local.get $p) (local.get $q))) (v128.load (local.get $cp)))
              (f32x4.mul
                (f32x4.sub (v128.load (i32.add (local.get $x) (local.get $q)))
                           (v128.load (i32.add (local.get $cp) (local.get $cb))))
                (v128.load (i32.add (local.get $cp) (i32.shl (local.get $cb) (i32.const 1))))))
            (v128.load (i32.add (local.get $cp) (i32.mul (local.get $cb) (i32.const 3))))))
        (local.set $q (i32.add (local.get $q) (i32.const 16)))
        (br $qloop)))
      (local.set $p (i32.add (local.get $p) (local.get $cb)))
      (local.set $x (i32.add (local.get $x) (local.get $cb)))
      (local.set $out (i32.add (local.get $out) (local.get $cb)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rloop)))
  )

  ;; Column sums of a [rows, cols] float32 matrix (cols % 4 == 0): the bias gradient. Each row
  ;; is added into float64 accumulators at $acc (cols * 8 bytes of scratch), so the result is as
  ;; accurate as the cpu backend's double-precision sum; then rounded to float32 into $out.
  (func (export "sum_rows")
    (param $x i32) (param $out i32) (param $acc i32) (param $rows i32) (param $cols i32)
    (local $r i32) (local $q i32) (local $cb i32) (local $v v128) (local $ap i32)
    (local.set $cb (i32.shl (local.get $cols) (i32.const 2)))
    (memory.fill (local.get $acc) (i32.const 0) (i32.shl (local.get $cols) (i32.const 3)))
    (local.set $r (i32.const 0))
    (block $rdone (loop $rloop
      (br_if $rdone (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $q (i32.const 0))
      (local.set $ap (local.get $acc))
      (block $qdone (loop $qloop
        (br_if $qdone (i32.ge_u (local.get $q) (local.get $cb)))
        (local.set $v (v128.load (i32.add (local.get $x) (local.get $q))))
        (v128.store (local.get $ap)
          (f64x2.add (v128.load (local.get $ap)) (f64x2.promote_low_f32x4 (local.get $v))))
        (v128.store offset=16 (local.get $ap)
          (f64x2.add (v128.load offset=16 (local.get $ap))
            (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))))
        (local.set $ap (i32.add (local.get $ap) (i32.const 32)))
        (local.set $q (i32.add (local.get $q) (i32.const 16)))
        (br $qloop)))
      (local.set $x (i32.add (local.get $x) (local.get $cb)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rloop)))
    (local.set $q (i32.const 0))
    (local.set $ap (local.get $acc))
    (block $odone (loop $oloop
      (br_if $odone (i32.ge_u (local.get $q) (local.get $cb)))
      (v128.store (i32.add (local.get $out) (local.get $q))
        (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (f32x4.demote_f64x2_zero (v128.load (local.get $ap)))
          (f32x4.demote_f64x2_zero (v128.load offset=16 (local.get $ap)))))
      (local.set $ap (i32.add (local.get $ap) (i32.const 32)))
      (local.set $q (i32.add (local.get $q) (i32.const 16)))
      (br $oloop)))
  )

  ;; out[r, q] = x[r, q] + bias[q] for a [rows, cols] matrix (cols % 4 == 0): a layer's bias add,
  ;; which the stock kernel runs through its generic broadcasting loop at a third of this speed.
  (func (export "add_bias")
    (param $x i32) (param $bias i32) (param $out i32) (param $rows i32) (param $cols i32)
    (local $r i32) (local $q i32) (local $cb i32)
    (local.set $cb (i32.shl (local.get $cols) (i32.const 2)))
    (local.set $r (i32.const 0))
    (block $rdone (loop $rloop
      (br_if $rdone (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $q (i32.const 0))
      (block $qdone (loop $qloop
        (br_if $qdone (i32.ge_u (local.get $q) (local.get $cb)))
        (v128.store (i32.add (local.get $out) (local.get $q))
          (f32x4.add
            (v128.load (i32.add (local.get $x) (local.get $q)))
            (v128.load (i32.add (local.get $bias) (local.get $q)))))
        (local.set $q (i32.add (local.get $q) (i32.const 16)))
        (br $qloop)))
      (local.set $x (i32.add (local.get $x) (local.get $cb)))
      (local.set $out (i32.add (local.get $out) (local.get $cb)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rloop)))
  )

  ;; ReLU's gradient in one pass: out = dy * step(x), where step(x) is 1 for x > 0, NaN for NaN
  ;; (so a diverging run still shows NaN) and 0 otherwise, exactly as tfjs's mul(dy, step(x))
  ;; computes it in two passes and an extra tensor. count % 4 == 0.
  (func (export "relu_grad")
    (param $dy i32) (param $x i32) (param $out i32) (param $count i32)
    (local $end i32) (local $v v128)
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $count) (i32.const 2))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $out) (local.get $end)))
      (local.set $v (v128.load (local.get $x)))
      (v128.store (local.get $out)
        (f32x4.mul
          (v128.load (local.get $dy))
          (v128.bitselect
            (f32x4.splat (f32.const nan))
            (v128.and (f32x4.gt (local.get $v) (f32x4.splat (f32.const 0))) (f32x4.splat (f32.const 1)))
            (f32x4.ne (local.get $v) (local.get $v)))))
      (local.set $dy (i32.add (local.get $dy) (i32.const 16)))
      (local.set $x (i32.add (local.get $x) (i32.const 16)))
      (local.set $out (i32.add (local.get $out) (i32.const 16)))
      (br $next)))
  )

  ;; One Adam step over `count` weights (count % 4 == 0), in the exact float32 operation order of
  ;; tfjs's AdamOptimizer, so results match it bit for bit:
  ;;   m' = m*b1 + g*(1-b1); v' = v*b2 + g*g*(1-b2)
  ;;   w' = (m'/c1) / (sqrt(v'/c2) + eps) * (-lr) + w     with c1 = 1-b1^t, c2 = 1-b2^t
  ;; One pass over four arrays instead of ~12 kernel calls and temporaries per weight.
  (func (export "adam")
    (param $w i32) (param $m i32) (param $v i32) (param $g i32)
    (param $wo i32) (param $mo i32) (param $vo i32) (param $count i32)
    (param $b1 f32) (param $omb1 f32) (param $b2 f32) (param $omb2 f32)
    (param $c1 f32) (param $c2 f32) (param $eps f32) (param $neglr f32)
    (local $i i32) (local $end i32) (local $gv v128) (local $mn v128) (local $vn v128)
    (local.set $end (i32.shl (local.get $count) (i32.const 2)))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
      (local.set $gv (v128.load (i32.add (local.get $g) (local.get $i))))
      (local.set $mn (f32x4.add
        (f32x4.mul (v128.load (i32.add (local.get $m) (local.get $i))) (f32x4.splat (local.get $b1)))
        (f32x4.mul (local.get $gv) (f32x4.splat (local.get $omb1)))))
      (local.set $vn (f32x4.add
        (f32x4.mul (v128.load (i32.add (local.get $v) (local.get $i))) (f32x4.splat (local.get $b2)))
        (f32x4.mul (f32x4.mul (local.get $gv) (local.get $gv)) (f32x4.splat (local.get $omb2)))))
      (v128.store (i32.add (local.get $mo) (local.get $i)) (local.get $mn))
      (v128.store (i32.add (local.get $vo) (local.get $i)) (local.get $vn))
      (v128.store (i32.add (local.get $wo) (local.get $i))
        (f32x4.add
          (f32x4.mul
            (f32x4.div
              (f32x4.div (local.get $mn) (f32x4.splat (local.get $c1)))
              (f32x4.add
                (f32x4.sqrt (f32x4.div (local.get $vn) (f32x4.splat (local.get $c2))))
                (f32x4.splat (local.get $eps))))
            (f32x4.splat (local.get $neglr)))
          (v128.load (i32.add (local.get $w) (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $next)))
  )
)
