#!/usr/bin/python3
"""Zoo models that torchvision does not provide, written in plain torch.

BERT-base/large, GPT-2 small, a TinyLlama-sized LLaMA decoder, YOLOv5s, YOLOv8 and YOLO11
(n/s/m/l/x) and SE-ResNeXt101-32x4d. Each mirrors the
structure and parameter count of the well-known original so that the exported ONNX graph
shows the same blocks (explicit MatMul/Softmax attention, LayerNorm/RMSNorm, C3 blocks ...).
Only structure matters: the zoo is weightless, so initialisation is not faithful.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


# ---------------------------------------------------------------------------
# BERT-base-uncased (encoder + pooler): 109,482,240 parameters
# ---------------------------------------------------------------------------
class BertSelfAttention(nn.Module):
    def __init__(self, hidden, heads):
        super().__init__()
        self.heads, self.head_dim = heads, hidden // heads
        self.query = nn.Linear(hidden, hidden)
        self.key = nn.Linear(hidden, hidden)
        self.value = nn.Linear(hidden, hidden)

    def split(self, x):
        b, s, _ = x.shape
        return x.view(b, s, self.heads, self.head_dim).permute(0, 2, 1, 3)

    def forward(self, x):
        q, k, v = self.split(self.query(x)), self.split(self.key(x)), self.split(self.value(x))
        # explicit MatMul -> Div -> Softmax -> MatMul so the graph shows attention
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.head_dim)
        probs = torch.softmax(scores, dim=-1)
        ctx = torch.matmul(probs, v).permute(0, 2, 1, 3)
        b, s = ctx.shape[0], ctx.shape[1]
        return ctx.reshape(b, s, self.heads * self.head_dim)


class BertLayer(nn.Module):
    def __init__(self, hidden, heads, ffn, eps):
        super().__init__()
        self.attention = BertSelfAttention(hidden, heads)
        self.attention_output = nn.Linear(hidden, hidden)
        self.attention_norm = nn.LayerNorm(hidden, eps=eps)
        self.intermediate = nn.Linear(hidden, ffn)
        self.output = nn.Linear(ffn, hidden)
        self.output_norm = nn.LayerNorm(hidden, eps=eps)

    def forward(self, x):
        # post-norm residual blocks, as in the original BERT
        x = self.attention_norm(x + self.attention_output(self.attention(x)))
        return self.output_norm(x + self.output(F.gelu(self.intermediate(x))))


class Bert(nn.Module):
    def __init__(self, vocab=30522, hidden=768, layers=12, heads=12, ffn=3072,
                 max_pos=512, type_vocab=2, eps=1e-12):
        super().__init__()
        self.word_embeddings = nn.Embedding(vocab, hidden)
        self.position_embeddings = nn.Embedding(max_pos, hidden)
        self.token_type_embeddings = nn.Embedding(type_vocab, hidden)
        self.embeddings_norm = nn.LayerNorm(hidden, eps=eps)
        self.layers = nn.ModuleList(BertLayer(hidden, heads, ffn, eps) for _ in range(layers))
        self.pooler = nn.Linear(hidden, hidden)

    def forward(self, input_ids):
        # positions and token types computed in forward (HF keeps position_ids as an int
        # buffer; computing them keeps the graph free of non-parameter initializers)
        pos = torch.arange(input_ids.shape[1], device=input_ids.device).unsqueeze(0)
        types = torch.zeros_like(input_ids)
        x = (self.word_embeddings(input_ids) + self.position_embeddings(pos)
             + self.token_type_embeddings(types))
        x = self.embeddings_norm(x)
        for layer in self.layers:
            x = layer(x)
        pooled = torch.tanh(self.pooler(x[:, 0]))
        return x, pooled


# ---------------------------------------------------------------------------
# GPT-2 small with tied LM head: 124,439,808 parameters
# ---------------------------------------------------------------------------
class GPT2Attention(nn.Module):
    def __init__(self, hidden, heads):
        super().__init__()
        self.heads, self.head_dim = heads, hidden // heads
        self.c_attn = nn.Linear(hidden, 3 * hidden)   # HF uses Conv1D: same params
        self.c_proj = nn.Linear(hidden, hidden)

    def forward(self, x):
        b, s, c = x.shape
        q, k, v = self.c_attn(x).split(c, dim=2)
        q, k, v = (t.view(b, s, self.heads, self.head_dim).transpose(1, 2) for t in (q, k, v))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.head_dim)
        # causal mask built in forward (Trilu): HF slices a 1024x1024 bool buffer, which
        # torch exports as a 1 MB Constant node
        causal = torch.ones(s, s, dtype=torch.bool, device=x.device).tril()
        scores = torch.where(causal, scores, torch.tensor(torch.finfo(scores.dtype).min))
        probs = torch.softmax(scores, dim=-1)
        out = torch.matmul(probs, v).transpose(1, 2).reshape(b, s, c)
        return self.c_proj(out)


class GPT2Block(nn.Module):
    def __init__(self, hidden, heads, eps):
        super().__init__()
        self.ln_1 = nn.LayerNorm(hidden, eps=eps)
        self.attn = GPT2Attention(hidden, heads)
        self.ln_2 = nn.LayerNorm(hidden, eps=eps)
        self.c_fc = nn.Linear(hidden, 4 * hidden)
        self.c_proj = nn.Linear(4 * hidden, hidden)

    def forward(self, x):
        # pre-norm blocks; GPT-2 uses the tanh approximation of GELU ("gelu_new")
        x = x + self.attn(self.ln_1(x))
        return x + self.c_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))


class GPT2(nn.Module):
    def __init__(self, vocab=50257, hidden=768, layers=12, heads=12, n_positions=1024, eps=1e-5):
        super().__init__()
        self.wte = nn.Embedding(vocab, hidden)
        self.wpe = nn.Embedding(n_positions, hidden)
        self.h = nn.ModuleList(GPT2Block(hidden, heads, eps) for _ in range(layers))
        self.ln_f = nn.LayerNorm(hidden, eps=eps)
        self.lm_head = nn.Linear(hidden, vocab, bias=False)
        self.lm_head.weight = self.wte.weight   # tied: one parameter, one ONNX initializer

    def forward(self, input_ids):
        pos = torch.arange(input_ids.shape[1], device=input_ids.device).unsqueeze(0)
        x = self.wte(input_ids) + self.wpe(pos)
        for block in self.h:
            x = block(x)
        return self.lm_head(self.ln_f(x))


# ---------------------------------------------------------------------------
# LLaMA-style decoder with TinyLlama-1.1B dimensions: 1,100,048,384 parameters
# ---------------------------------------------------------------------------
class RMSNorm(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x):
        var = x.pow(2).mean(-1, keepdim=True)
        return self.weight * (x * torch.rsqrt(var + self.eps))


class RotaryEmbedding(nn.Module):
    def __init__(self, head_dim, theta):
        super().__init__()
        inv_freq = 1.0 / (theta ** (torch.arange(0, head_dim, 2).float() / head_dim))
        # float buffer as in HF LlamaRotaryEmbedding: it becomes a float ONNX initializer
        # that is not a parameter (head_dim/2 = 32 elements)
        self.register_buffer("inv_freq", inv_freq, persistent=False)

    def forward(self, seq_len):
        t = torch.arange(seq_len, dtype=self.inv_freq.dtype)
        freqs = torch.outer(t, self.inv_freq)
        emb = torch.cat((freqs, freqs), dim=-1)
        return emb.cos(), emb.sin()


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


class LlamaAttention(nn.Module):
    def __init__(self, hidden, heads, kv_heads):
        super().__init__()
        self.heads, self.kv_heads, self.head_dim = heads, kv_heads, hidden // heads
        self.q_proj = nn.Linear(hidden, heads * self.head_dim, bias=False)
        self.k_proj = nn.Linear(hidden, kv_heads * self.head_dim, bias=False)
        self.v_proj = nn.Linear(hidden, kv_heads * self.head_dim, bias=False)
        self.o_proj = nn.Linear(heads * self.head_dim, hidden, bias=False)

    def repeat_kv(self, x):
        # grouped-query attention: each KV head serves heads/kv_heads query heads
        b, kvh, s, d = x.shape
        rep = self.heads // kvh
        return x[:, :, None].expand(b, kvh, rep, s, d).reshape(b, kvh * rep, s, d)

    def forward(self, x, cos, sin, mask):
        b, s, _ = x.shape
        q = self.q_proj(x).view(b, s, self.heads, self.head_dim).transpose(1, 2)
        k = self.k_proj(x).view(b, s, self.kv_heads, self.head_dim).transpose(1, 2)
        v = self.v_proj(x).view(b, s, self.kv_heads, self.head_dim).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k, v = self.repeat_kv(k), self.repeat_kv(v)
        scores = torch.matmul(q, k.transpose(2, 3)) / math.sqrt(self.head_dim) + mask
        probs = torch.softmax(scores, dim=-1)
        out = torch.matmul(probs, v).transpose(1, 2).reshape(b, s, self.heads * self.head_dim)
        return self.o_proj(out)


class LlamaLayer(nn.Module):
    def __init__(self, hidden, heads, kv_heads, inter, eps):
        super().__init__()
        self.input_layernorm = RMSNorm(hidden, eps)
        self.self_attn = LlamaAttention(hidden, heads, kv_heads)
        self.post_attention_layernorm = RMSNorm(hidden, eps)
        self.gate_proj = nn.Linear(hidden, inter, bias=False)
        self.up_proj = nn.Linear(hidden, inter, bias=False)
        self.down_proj = nn.Linear(inter, hidden, bias=False)

    def forward(self, x, cos, sin, mask):
        x = x + self.self_attn(self.input_layernorm(x), cos, sin, mask)
        h = self.post_attention_layernorm(x)
        return x + self.down_proj(F.silu(self.gate_proj(h)) * self.up_proj(h))   # SwiGLU


class LlamaDecoder(nn.Module):
    def __init__(self, vocab=32000, hidden=2048, layers=22, heads=32, kv_heads=4,
                 inter=5632, eps=1e-5, theta=10000.0):
        super().__init__()
        self.embed_tokens = nn.Embedding(vocab, hidden)
        self.rotary = RotaryEmbedding(hidden // heads, theta)
        self.layers = nn.ModuleList(LlamaLayer(hidden, heads, kv_heads, inter, eps)
                                    for _ in range(layers))
        self.norm = RMSNorm(hidden, eps)
        self.lm_head = nn.Linear(hidden, vocab, bias=False)   # untied, as in TinyLlama

    def forward(self, input_ids):
        s = input_ids.shape[1]
        cos, sin = self.rotary(s)
        # additive causal mask for prefill (no KV cache)
        mask = torch.triu(torch.full((s, s), float("-inf")), diagonal=1)
        x = self.embed_tokens(input_ids)
        for layer in self.layers:
            x = layer(x, cos, sin, mask)
        return self.lm_head(self.norm(x))


# ---------------------------------------------------------------------------
# YOLOv5s (v6.0 layout): 7,235,389 parameters with 80 classes
# ---------------------------------------------------------------------------
class ConvBnSiLU(nn.Module):
    def __init__(self, c1, c2, k=1, s=1, p=None):
        super().__init__()
        self.conv = nn.Conv2d(c1, c2, k, s, k // 2 if p is None else p, bias=False)
        self.bn = nn.BatchNorm2d(c2, eps=1e-3, momentum=0.03)
        self.act = nn.SiLU()

    def forward(self, x):
        return self.act(self.bn(self.conv(x)))


class Bottleneck(nn.Module):
    def __init__(self, c1, c2, shortcut=True):
        super().__init__()
        self.cv1 = ConvBnSiLU(c1, c2, 1)
        self.cv2 = ConvBnSiLU(c2, c2, 3)
        self.add = shortcut and c1 == c2

    def forward(self, x):
        y = self.cv2(self.cv1(x))
        return x + y if self.add else y


class C3(nn.Module):
    """CSP bottleneck with 3 convolutions."""
    def __init__(self, c1, c2, n=1, shortcut=True):
        super().__init__()
        c_ = c2 // 2
        self.cv1 = ConvBnSiLU(c1, c_, 1)
        self.cv2 = ConvBnSiLU(c1, c_, 1)
        self.cv3 = ConvBnSiLU(2 * c_, c2, 1)
        self.m = nn.Sequential(*(Bottleneck(c_, c_, shortcut) for _ in range(n)))

    def forward(self, x):
        return self.cv3(torch.cat((self.m(self.cv1(x)), self.cv2(x)), dim=1))


class SPPF(nn.Module):
    def __init__(self, c1, c2, k=5):
        super().__init__()
        c_ = c1 // 2
        self.cv1 = ConvBnSiLU(c1, c_, 1)
        self.cv2 = ConvBnSiLU(c_ * 4, c2, 1)
        self.m = nn.MaxPool2d(k, 1, k // 2)

    def forward(self, x):
        x = self.cv1(x)
        y1 = self.m(x)
        y2 = self.m(y1)
        return self.cv2(torch.cat((x, y1, y2, self.m(y2)), dim=1))


class Detect(nn.Module):
    # anchors in pixels for strides 8, 16, 32 (YOLOv5 defaults)
    ANCHORS = ((10, 13, 16, 30, 33, 23), (30, 61, 62, 45, 59, 119), (116, 90, 156, 198, 373, 326))
    STRIDES = (8, 16, 32)

    def __init__(self, nc, channels):
        super().__init__()
        self.no, self.na = nc + 5, 3
        self.m = nn.ModuleList(nn.Conv2d(c, self.no * self.na, 1) for c in channels)

    def forward(self, xs):
        z = []
        for i, x in enumerate(xs):
            x = self.m[i](x)
            b, _, ny, nx = x.shape
            x = x.view(b, self.na, self.no, ny, nx).permute(0, 1, 3, 4, 2)
            # decode boxes as YOLOv5 does in export; grid and anchors are built in forward
            # (constants, not buffers) so that the only float initializers are parameters
            yv, xv = torch.meshgrid(torch.arange(ny), torch.arange(nx), indexing="ij")
            grid = torch.stack((xv, yv), 2).view(1, 1, ny, nx, 2).float()
            anchor = torch.tensor(self.ANCHORS[i], dtype=torch.float32).view(1, self.na, 1, 1, 2)
            y = x.sigmoid()
            xy = (y[..., 0:2] * 2 - 0.5 + grid) * self.STRIDES[i]
            wh = (y[..., 2:4] * 2) ** 2 * anchor
            z.append(torch.cat((xy, wh, y[..., 4:]), -1).view(b, -1, self.no))
        return torch.cat(z, 1)


class YOLOv5s(nn.Module):
    def __init__(self, nc=80):
        super().__init__()
        # backbone (CSP-Darknet53 with C3 blocks), width 0.5 / depth 0.33 of YOLOv5l
        self.b0 = ConvBnSiLU(3, 32, 6, 2, 2)
        self.b1 = ConvBnSiLU(32, 64, 3, 2)
        self.b2 = C3(64, 64, 1)
        self.b3 = ConvBnSiLU(64, 128, 3, 2)
        self.b4 = C3(128, 128, 2)
        self.b5 = ConvBnSiLU(128, 256, 3, 2)
        self.b6 = C3(256, 256, 3)
        self.b7 = ConvBnSiLU(256, 512, 3, 2)
        self.b8 = C3(512, 512, 1)
        self.b9 = SPPF(512, 512, 5)
        # PANet neck
        self.h10 = ConvBnSiLU(512, 256, 1)
        self.up = nn.Upsample(scale_factor=2, mode="nearest")
        self.h13 = C3(512, 256, 1, shortcut=False)
        self.h14 = ConvBnSiLU(256, 128, 1)
        self.h17 = C3(256, 128, 1, shortcut=False)
        self.h18 = ConvBnSiLU(128, 128, 3, 2)
        self.h20 = C3(256, 256, 1, shortcut=False)
        self.h21 = ConvBnSiLU(256, 256, 3, 2)
        self.h23 = C3(512, 512, 1, shortcut=False)
        self.detect = Detect(nc, (128, 256, 512))

    def forward(self, x):
        x = self.b2(self.b1(self.b0(x)))
        p3 = self.b4(self.b3(x))
        p4 = self.b6(self.b5(p3))
        x = self.b9(self.b8(self.b7(p4)))
        h10 = self.h10(x)
        x = self.h13(torch.cat((self.up(h10), p4), 1))
        h14 = self.h14(x)
        out3 = self.h17(torch.cat((self.up(h14), p3), 1))
        out4 = self.h20(torch.cat((self.h18(out3), h14), 1))
        out5 = self.h23(torch.cat((self.h21(out4), h10), 1))
        return self.detect([out3, out4, out5])


# ---------------------------------------------------------------------------
# YOLOv8 and YOLO11 detection (Ultralytics 8.3), written from the layer tables in
# ultralytics/cfg/models/v8/yolov8.yaml and ultralytics/cfg/models/11/yolo11.yaml and the
# modules in ultralytics/nn/modules/{block,conv,head}.py. 80 classes, 640x640 input,
# exported like `yolo export format=onnx`: decoded output [batch x 84 x 8400].
# ---------------------------------------------------------------------------
def _div8(x):
    return int(math.ceil(x / 8) * 8)


class UConv(nn.Module):
    """Ultralytics Conv: Conv2d (no bias) + BatchNorm + SiLU (or no activation)."""
    def __init__(self, c1, c2, k=1, s=1, g=1, act=True):
        super().__init__()
        self.conv = nn.Conv2d(c1, c2, k, s, k // 2, groups=g, bias=False)
        self.bn = nn.BatchNorm2d(c2, eps=1e-3, momentum=0.03)
        self.act = nn.SiLU() if act else nn.Identity()

    def forward(self, x):
        return self.act(self.bn(self.conv(x)))


class UBottleneck(nn.Module):
    def __init__(self, c1, c2, shortcut=True, k=(3, 3), e=0.5):
        super().__init__()
        c_ = int(c2 * e)
        self.cv1 = UConv(c1, c_, k[0])
        self.cv2 = UConv(c_, c2, k[1])
        self.add = shortcut and c1 == c2

    def forward(self, x):
        y = self.cv2(self.cv1(x))
        return x + y if self.add else y


class C3k(nn.Module):
    """YOLO11's C3 with 3x3/3x3 bottlenecks (used inside C3k2 when c3k is set)."""
    def __init__(self, c1, c2, n=2, shortcut=True, e=0.5):
        super().__init__()
        c_ = int(c2 * e)
        self.cv1 = UConv(c1, c_, 1)
        self.cv2 = UConv(c1, c_, 1)
        self.cv3 = UConv(2 * c_, c2, 1)
        self.m = nn.Sequential(*(UBottleneck(c_, c_, shortcut, (3, 3), 1.0) for _ in range(n)))

    def forward(self, x):
        return self.cv3(torch.cat((self.m(self.cv1(x)), self.cv2(x)), 1))


class C2f(nn.Module):
    """CSP bottleneck with two convolutions; every bottleneck output is concatenated.

    c3k=None is YOLOv8's C2f (bottlenecks with e=1.0); False/True is YOLO11's C3k2
    (bottlenecks with e=0.5, or C3k blocks)."""
    def __init__(self, c1, c2, n=1, shortcut=False, e=0.5, c3k=None):
        super().__init__()
        self.c = c = int(c2 * e)
        self.cv1 = UConv(c1, 2 * c, 1)
        self.cv2 = UConv((2 + n) * c, c2, 1)
        if c3k is None:
            blocks = (UBottleneck(c, c, shortcut, (3, 3), 1.0) for _ in range(n))
        elif c3k:
            blocks = (C3k(c, c, 2, shortcut) for _ in range(n))
        else:
            blocks = (UBottleneck(c, c, shortcut) for _ in range(n))
        self.m = nn.ModuleList(blocks)

    def forward(self, x):
        y = list(self.cv1(x).split((self.c, self.c), 1))
        for m in self.m:
            y.append(m(y[-1]))
        return self.cv2(torch.cat(y, 1))


class USPPF(nn.Module):
    def __init__(self, c1, c2, k=5):
        super().__init__()
        c_ = c1 // 2
        self.cv1 = UConv(c1, c_, 1)
        self.cv2 = UConv(c_ * 4, c2, 1)
        self.m = nn.MaxPool2d(k, 1, k // 2)

    def forward(self, x):
        y = [self.cv1(x)]
        for _ in range(3):
            y.append(self.m(y[-1]))
        return self.cv2(torch.cat(y, 1))


class PSAAttention(nn.Module):
    """Ultralytics Attention (YOLO11 C2PSA): 1x1 qkv conv, MatMul attention, depthwise pe."""
    def __init__(self, dim, num_heads, attn_ratio=0.5):
        super().__init__()
        self.num_heads, self.head_dim = num_heads, dim // num_heads
        self.key_dim = int(self.head_dim * attn_ratio)
        self.scale = self.key_dim ** -0.5
        self.qkv = UConv(dim, dim + 2 * self.key_dim * num_heads, 1, act=False)
        self.proj = UConv(dim, dim, 1, act=False)
        self.pe = UConv(dim, dim, 3, 1, g=dim, act=False)

    def forward(self, x):
        b, c, h, w = x.shape
        n = h * w
        q, k, v = self.qkv(x).view(b, self.num_heads, self.key_dim * 2 + self.head_dim, n).split(
            [self.key_dim, self.key_dim, self.head_dim], dim=2)
        attn = torch.softmax((q.transpose(-2, -1) @ k) * self.scale, dim=-1)
        x = (v @ attn.transpose(-2, -1)).view(b, c, h, w) + self.pe(v.reshape(b, c, h, w))
        return self.proj(x)


class PSABlock(nn.Module):
    def __init__(self, c, num_heads):
        super().__init__()
        self.attn = PSAAttention(c, num_heads)
        self.ffn = nn.Sequential(UConv(c, c * 2, 1), UConv(c * 2, c, 1, act=False))

    def forward(self, x):
        x = x + self.attn(x)
        return x + self.ffn(x)


class C2PSA(nn.Module):
    def __init__(self, c1, n=1, e=0.5):
        super().__init__()
        self.c = c = int(c1 * e)
        self.cv1 = UConv(c1, 2 * c, 1)
        self.cv2 = UConv(2 * c, c1, 1)
        self.m = nn.Sequential(*(PSABlock(c, c // 64) for _ in range(n)))

    def forward(self, x):
        a, b = self.cv1(x).split((self.c, self.c), dim=1)
        return self.cv2(torch.cat((a, self.m(b)), 1))


class UDetect(nn.Module):
    """Anchor-free decoupled head with DFL box decoding (Ultralytics Detect)."""
    STRIDES = (8, 16, 32)
    REG_MAX = 16

    def __init__(self, nc, ch, legacy):
        super().__init__()
        self.nc, self.no = nc, nc + 4 * self.REG_MAX
        c2 = max(16, ch[0] // 4, self.REG_MAX * 4)
        c3 = max(ch[0], min(nc, 100))
        self.cv2 = nn.ModuleList(nn.Sequential(UConv(x, c2, 3), UConv(c2, c2, 3),
                                               nn.Conv2d(c2, 4 * self.REG_MAX, 1)) for x in ch)
        if legacy:   # YOLOv8: two 3x3 convs in the class branch
            self.cv3 = nn.ModuleList(nn.Sequential(UConv(x, c3, 3), UConv(c3, c3, 3),
                                                   nn.Conv2d(c3, nc, 1)) for x in ch)
        else:        # YOLO11: depthwise 3x3 + pointwise, twice
            self.cv3 = nn.ModuleList(nn.Sequential(
                nn.Sequential(UConv(x, x, 3, g=x), UConv(x, c3, 1)),
                nn.Sequential(UConv(c3, c3, 3, g=c3), UConv(c3, c3, 1)),
                nn.Conv2d(c3, nc, 1)) for x in ch)
        # DFL: a fixed 1x1 conv holding 0..15 (a parameter in Ultralytics, frozen)
        self.dfl = nn.Conv2d(self.REG_MAX, 1, 1, bias=False)

    def forward(self, xs):
        b = xs[0].shape[0]
        feats, anchors, strides = [], [], []
        for i, x in enumerate(xs):
            y = torch.cat((self.cv2[i](x), self.cv3[i](x)), 1)
            ny, nx = y.shape[2], y.shape[3]
            feats.append(y.view(b, self.no, -1))
            # anchor points (cell centres) built in forward, as in yolov5s above
            sy, sx = torch.meshgrid(torch.arange(ny) + 0.5, torch.arange(nx) + 0.5, indexing="ij")
            anchors.append(torch.stack((sx, sy), 0).view(2, -1))
            strides.append(torch.full((1, ny * nx), float(self.STRIDES[i])))
        anchors, strides = torch.cat(anchors, 1).unsqueeze(0), torch.cat(strides, 1)
        box, cls = torch.cat(feats, 2).split((4 * self.REG_MAX, self.nc), 1)
        a = box.shape[2]
        dist = self.dfl(box.view(b, 4, self.REG_MAX, a).transpose(2, 1).softmax(1)).view(b, 4, a)
        lt, rb = dist.split((2, 2), 1)
        x1y1, x2y2 = anchors - lt, anchors + rb
        dbox = torch.cat(((x1y1 + x2y2) / 2, x2y2 - x1y1), 1) * strides
        return torch.cat((dbox, cls.sigmoid()), 1)


class UltralyticsYOLO(nn.Module):
    """YOLOv8 (version=8) or YOLO11 (version=11) at one of the n/s/m/l/x scales."""
    # scale -> (depth, width, max_channels), from the yaml files' `scales`
    SCALES = {
        8: {"n": (0.33, 0.25, 1024), "s": (0.33, 0.50, 1024), "m": (0.67, 0.75, 768),
            "l": (1.00, 1.00, 512), "x": (1.00, 1.25, 512)},
        11: {"n": (0.50, 0.25, 1024), "s": (0.50, 0.50, 1024), "m": (0.50, 1.00, 512),
             "l": (1.00, 1.00, 512), "x": (1.00, 1.50, 512)},
    }

    def __init__(self, version, scale, nc=80):
        super().__init__()
        depth, width, max_ch = self.SCALES[version][scale]
        self.v11 = version == 11

        def ch(c):
            return _div8(min(c, max_ch) * width)

        def rep(n):
            return max(round(n * depth), 1)

        def csp(c1, c2, n, shortcut, c3k=False, e=0.5):
            if not self.v11:
                return C2f(c1, ch(c2), rep(n), shortcut)
            # C3k2 always has shortcut on; m/l/x scales turn c3k on everywhere
            return C2f(c1, ch(c2), rep(n), True, e, c3k or scale in "mlx")

        c64, c128, c256, c512, c1024 = ch(64), ch(128), ch(256), ch(512), ch(1024)
        self.b0 = UConv(3, c64, 3, 2)
        self.b1 = UConv(c64, c128, 3, 2)
        if self.v11:
            self.b2 = csp(c128, 256, 2, True, False, 0.25)
            c_b2 = ch(256)
        else:
            self.b2 = csp(c128, 128, 3, True)
            c_b2 = c128
        self.b3 = UConv(c_b2, c256, 3, 2)
        if self.v11:
            self.b4 = csp(c256, 512, 2, True, False, 0.25)
            p3c = ch(512)
        else:
            self.b4 = csp(c256, 256, 6, True)
            p3c = c256
        self.b5 = UConv(p3c, c512, 3, 2)
        self.b6 = csp(c512, 512, 2 if self.v11 else 6, True, True)
        self.b7 = UConv(c512, c1024, 3, 2)
        self.b8 = csp(c1024, 1024, 2 if self.v11 else 3, True, True)
        self.b9 = USPPF(c1024, c1024, 5)
        self.b10 = C2PSA(c1024, rep(2)) if self.v11 else nn.Identity()
        self.up = nn.Upsample(scale_factor=2, mode="nearest")
        n_head = 2 if self.v11 else 3
        self.h_p4 = csp(c1024 + c512, 512, n_head, False)
        self.h_p3 = csp(c512 + p3c, 256, n_head, False)
        self.h_d3 = UConv(c256, c256, 3, 2)
        self.h_n4 = csp(c256 + c512, 512, n_head, False)
        self.h_d4 = UConv(c512, c512, 3, 2)
        self.h_n5 = csp(c512 + c1024, 1024, n_head, False, True)
        self.detect = UDetect(nc, (c256, c512, c1024), legacy=not self.v11)

    def forward(self, x):
        x = self.b1(self.b0(x))
        p3 = self.b4(self.b3(self.b2(x)))
        p4 = self.b6(self.b5(p3))
        p5 = self.b10(self.b9(self.b8(self.b7(p4))))
        t4 = self.h_p4(torch.cat((self.up(p5), p4), 1))
        o3 = self.h_p3(torch.cat((self.up(t4), p3), 1))
        o4 = self.h_n4(torch.cat((self.h_d3(o3), t4), 1))
        o5 = self.h_n5(torch.cat((self.h_d4(o4), p5), 1))
        return self.detect([o3, o4, o5])


# ---------------------------------------------------------------------------
# SE-ResNeXt101-32x4d as in NVIDIA DeepLearningExamples (PyTorch/Classification/ConvNets,
# image_classification/models/resnet.py): torchvision's ResNeXt bottleneck with a
# squeeze-and-excitation (reduction 16, two Linear layers) on the last BN before the add.
# Hu et al., "Squeeze-and-Excitation Networks" (2018); 48.96M parameters as in timm and
# Cadene's pretrainedmodels (NVIDIA's README states none).
# ---------------------------------------------------------------------------
def _se_bottleneck_class():
    from torchvision.models.resnet import Bottleneck

    class SEBottleneck(Bottleneck):
        def __init__(self, inplanes, planes, *args, **kw):
            super().__init__(inplanes, planes, *args, **kw)
            c = planes * self.expansion
            self.se_fc1 = nn.Linear(c, c // 16)
            self.se_fc2 = nn.Linear(c // 16, c)

        def forward(self, x):
            identity = x if self.downsample is None else self.downsample(x)
            out = self.relu(self.bn1(self.conv1(x)))
            out = self.relu(self.bn2(self.conv2(out)))
            out = self.bn3(self.conv3(out))
            s = torch.sigmoid(self.se_fc2(torch.relu(self.se_fc1(out.mean((2, 3))))))
            out = out * s[:, :, None, None]
            return self.relu(out + identity)
    return SEBottleneck


def _resnext101_32x4d(block=None):
    from torchvision.models.resnet import Bottleneck, ResNet
    return ResNet(block or Bottleneck, [3, 4, 23, 3], groups=32, width_per_group=4)


def resnext101_32x4d():
    return _resnext101_32x4d()


def se_resnext101_32x4d():
    return _resnext101_32x4d(_se_bottleneck_class())


def bert_large_uncased():
    # BERT-Large (Devlin et al. 2018): 24 layers, hidden 1024, 16 heads, FFN 4096
    return Bert(hidden=1024, layers=24, heads=16, ffn=4096)


def yolov8n():
    return UltralyticsYOLO(8, "n")


def yolov8s():
    return UltralyticsYOLO(8, "s")


def yolov8m():
    return UltralyticsYOLO(8, "m")


def yolov8l():
    return UltralyticsYOLO(8, "l")


def yolov8x():
    return UltralyticsYOLO(8, "x")


def yolo11n():
    return UltralyticsYOLO(11, "n")


def yolo11s():
    return UltralyticsYOLO(11, "s")


def yolo11m():
    return UltralyticsYOLO(11, "m")


def yolo11l():
    return UltralyticsYOLO(11, "l")


def yolo11x():
    return UltralyticsYOLO(11, "x")


# ---------------------------------------------------------------------------
# MobileNet v1 1.0/224 (Howard et al. 2017, Table 1), TF-slim layout: 3x3 conv stem then 13
# depthwise-separable blocks, BatchNorm + ReLU6 everywhere, 1000 classes: 4,231,976 params
# (Keras MobileNet's trainable count).
# ---------------------------------------------------------------------------
class ConvBnReLU6(nn.Sequential):
    def __init__(self, c1, c2, k=1, s=1, g=1):
        super().__init__(nn.Conv2d(c1, c2, k, s, k // 2, groups=g, bias=False),
                         nn.BatchNorm2d(c2, eps=1e-3), nn.ReLU6())


MOBILENET_V1_BLOCKS = ((64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2),
                       (512, 1), (512, 1), (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1))


def _mobilenet_v1_layers():
    layers, c = [ConvBnReLU6(3, 32, 3, 2)], 32
    for c2, s in MOBILENET_V1_BLOCKS:
        layers += [ConvBnReLU6(c, c, 3, s, g=c), ConvBnReLU6(c, c2, 1)]
        c = c2
    return layers


class MobileNetV1(nn.Module):
    def __init__(self, num_classes=1000):
        super().__init__()
        self.features = nn.Sequential(*_mobilenet_v1_layers())
        self.classifier = nn.Linear(1024, num_classes)

    def forward(self, x):
        return self.classifier(self.features(x).mean((2, 3)))


# ---------------------------------------------------------------------------
# EfficientNet-Lite0..4 (tensorflow/tpu models/official/efficientnet/lite/README.md and
# efficientnet_lite_builder.py): EfficientNet-B0's MBConv stages without squeeze-excitation,
# ReLU6 instead of swish, stem (32) and head (1280) channels fixed and the first and last
# stages' repeats not scaled. Published params: 4.7M, 5.4M, 6.1M, 8.2M, 13.0M.
# ---------------------------------------------------------------------------
# (kernel, stride, expand, in, out, repeats) of EfficientNet-B0
EFFNET_B0_STAGES = ((3, 1, 1, 32, 16, 1), (3, 2, 6, 16, 24, 2), (5, 2, 6, 24, 40, 2),
                    (3, 2, 6, 40, 80, 3), (5, 1, 6, 80, 112, 3), (5, 2, 6, 112, 192, 4),
                    (3, 1, 6, 192, 320, 1))
# name -> (width, depth, resolution)
EFFNET_LITE = {0: (1.0, 1.0, 224), 1: (1.0, 1.1, 240), 2: (1.1, 1.2, 260),
               3: (1.2, 1.4, 280), 4: (1.4, 1.8, 300)}


def _round_filters(f, width):
    f *= width
    new = max(8, int(f + 4) // 8 * 8)
    return new + 8 if new < 0.9 * f else new


class MBConvLite(nn.Module):
    def __init__(self, c1, c2, k, s, expand):
        super().__init__()
        mid = c1 * expand
        layers = [ConvBnReLU6(c1, mid, 1)] if expand != 1 else []
        layers += [ConvBnReLU6(mid, mid, k, s, g=mid),
                   nn.Conv2d(mid, c2, 1, bias=False), nn.BatchNorm2d(c2, eps=1e-3)]
        self.block = nn.Sequential(*layers)
        self.residual = s == 1 and c1 == c2

    def forward(self, x):
        y = self.block(x)
        return x + y if self.residual else y


class EfficientNetLite(nn.Module):
    def __init__(self, width, depth, num_classes=1000):
        super().__init__()
        layers = [ConvBnReLU6(3, 32, 3, 2)]   # stem not scaled
        c = 32
        for i, (k, s, e, _, c2, r) in enumerate(EFFNET_B0_STAGES):
            c2 = _round_filters(c2, width)
            if i not in (0, len(EFFNET_B0_STAGES) - 1):
                r = int(math.ceil(depth * r))
            for j in range(r):
                layers.append(MBConvLite(c, c2, k, s if j == 0 else 1, e))
                c = c2
        layers.append(ConvBnReLU6(c, 1280, 1))   # head not scaled
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Linear(1280, num_classes)

    def forward(self, x):
        return self.classifier(self.features(x).mean((2, 3)))


# ---------------------------------------------------------------------------
# SSD-MobileNet v1 300x300 as in the TF object detection API config
# ssd_mobilenet_v1_coco.config (the MLPerf v0.5-v1.1 "ssd-mobilenet" and Hailo's
# ssd_mobilenet_v1): MobileNet v1 features from conv11 (19x19) and conv13 (10x10), four extra
# 1x1 -> 3x3/2 layers (512, 256, 256, 128), 1x1 box predictors with 3 anchors on the first
# map and 6 on the others (1917 anchors), 91 classes. Raw box encodings and class logits
# (decode and NMS are post-processing): outputs [batch x 1917 x 4] and [batch x 1917 x 91].
# ---------------------------------------------------------------------------
class SSDMobileNetV1(nn.Module):
    def __init__(self, num_classes=91):
        super().__init__()
        layers = _mobilenet_v1_layers()
        self.conv11 = nn.Sequential(*layers[:23])    # stem + 11 blocks: 512 @ 19x19
        self.conv13 = nn.Sequential(*layers[23:])    # 2 blocks: 1024 @ 10x10
        extras, c = [], 1024
        for mid, c2 in ((256, 512), (128, 256), (128, 256), (64, 128)):
            extras.append(nn.Sequential(ConvBnReLU6(c, mid, 1), ConvBnReLU6(mid, c2, 3, 2)))
            c = c2
        self.extras = nn.ModuleList(extras)
        chans, anchors = (512, 1024, 512, 256, 256, 128), (3, 6, 6, 6, 6, 6)
        self.nc = num_classes
        self.box = nn.ModuleList(nn.Conv2d(c, a * 4, 1) for c, a in zip(chans, anchors))
        self.cls = nn.ModuleList(nn.Conv2d(c, a * num_classes, 1)
                                 for c, a in zip(chans, anchors))

    def forward(self, x):
        f = self.conv11(x)
        feats = [f]
        f = self.conv13(f)
        feats.append(f)
        for e in self.extras:
            f = e(f)
            feats.append(f)
        b = x.shape[0]
        boxes = [self.box[i](t).permute(0, 2, 3, 1).reshape(b, -1, 4) for i, t in enumerate(feats)]
        scores = [self.cls[i](t).permute(0, 2, 3, 1).reshape(b, -1, self.nc)
                  for i, t in enumerate(feats)]
        return torch.cat(boxes, 1), torch.cat(scores, 1)


def mobilenet_v1():
    return MobileNetV1()


def ssd_mobilenet_v1():
    return SSDMobileNetV1()


def efficientnet_lite0():
    return EfficientNetLite(*EFFNET_LITE[0][:2])


def efficientnet_lite1():
    return EfficientNetLite(*EFFNET_LITE[1][:2])


def efficientnet_lite2():
    return EfficientNetLite(*EFFNET_LITE[2][:2])


def efficientnet_lite3():
    return EfficientNetLite(*EFFNET_LITE[3][:2])


def efficientnet_lite4():
    return EfficientNetLite(*EFFNET_LITE[4][:2])


def bert_base_uncased():
    return Bert()


def gpt2():
    return GPT2()


def llama_decoder():
    return LlamaDecoder()


def yolov5s():
    return YOLOv5s()


# known parameter counts of the originals, checked by zoo_reference.py
EXPECTED_PARAMS = {
    "bert_base_uncased": 109_482_240,
    "gpt2": 124_439_808,
    "llama_decoder": 1_100_048_384,
    "yolov5s": 7_235_389,
    # Ultralytics model summaries before fusing BN (fused counts are lower: BN folded)
    "yolov8n": 3_157_200, "yolov8s": 11_166_560, "yolov8m": 25_902_640,
    "yolov8l": 43_691_520, "yolov8x": 68_229_648,
    "yolo11n": 2_624_080, "yolo11s": 9_458_752, "yolo11m": 20_114_688,
    "yolo11l": 25_372_160, "yolo11x": 56_966_176,
    "bert_large_uncased": 335_141_888,
    "mobilenet_v1": 4_231_976,   # Hugging Face bert-large-uncased
}
