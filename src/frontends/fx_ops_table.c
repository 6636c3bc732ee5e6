/* PyTorch FX frontend: the dispatch tables from call_function targets, call_method names
 * and call_module classes to their handlers (see fx_read.h). */
#include <string.h>

#include "frontends/fx_read.h"

typedef struct fx_target {
	const char *name;
	fx_fn fn;
	const char *type;
} fx_target;

/* call_function targets (torch.fx qualified names). */
static const fx_target FUNCS[] = {
	{"_operator.add", fx_map_binary, "Add"}, {"_operator.iadd", fx_map_binary, "Add"},
	{"torch.add", fx_map_binary, "Add"}, {"_operator.sub", fx_map_binary, "Sub"},
	{"_operator.isub", fx_map_binary, "Sub"}, {"torch.sub", fx_map_binary, "Sub"},
	{"_operator.mul", fx_map_binary, "Mul"}, {"_operator.imul", fx_map_binary, "Mul"},
	{"torch.mul", fx_map_binary, "Mul"}, {"_operator.truediv", fx_map_binary, "Div"},
	{"_operator.itruediv", fx_map_binary, "Div"}, {"torch.div", fx_map_binary, "Div"},
	{"torch.true_divide", fx_map_binary, "Div"},
	{"_operator.floordiv", fx_map_binary, "FloorDiv"},
	{"torch.floor_divide", fx_map_binary, "FloorDiv"}, {"_operator.mod", fx_map_binary, "Mod"},
	{"_operator.pow", fx_map_binary, "Pow"}, {"torch.pow", fx_map_binary, "Pow"},
	{"_operator.eq", fx_map_binary, "Equal"}, {"torch.eq", fx_map_binary, "Equal"},
	{"_operator.ne", fx_map_binary, "NotEqual"}, {"_operator.lt", fx_map_binary, "Less"},
	{"torch.lt", fx_map_binary, "Less"}, {"_operator.le", fx_map_binary, "LessOrEqual"},
	{"_operator.gt", fx_map_binary, "Greater"}, {"torch.gt", fx_map_binary, "Greater"},
	{"_operator.ge", fx_map_binary, "GreaterOrEqual"}, {"_operator.and_", fx_map_binary, "And"},
	{"_operator.or_", fx_map_binary, "Or"}, {"torch.maximum", fx_map_binary, "Max"},
	{"torch.minimum", fx_map_binary, "Min"}, {"_operator.matmul", fx_map_matmul, NULL},
	{"torch.matmul", fx_map_matmul, NULL}, {"torch.bmm", fx_map_matmul, NULL},
	{"torch.mm", fx_map_matmul, NULL}, {"_operator.neg", fx_map_unary, "Neg"},
	{"torch.neg", fx_map_unary, "Neg"}, {"_operator.getitem", fx_map_getitem, NULL},
	{"getattr", fx_map_getattr, NULL}, {"torch._assert", fx_map_none, NULL},
	{"torch.cat", fx_map_cat, "cat"}, {"torch.concat", fx_map_cat, "cat"},
	{"torch.stack", fx_map_cat, "stack"}, {"torch.flatten", fx_map_flatten, NULL},
	{"torch.reshape", fx_map_reshape, NULL}, {"torch.permute", fx_map_permute, NULL},
	{"torch.transpose", fx_map_transpose, "transpose"},
	{"torch.squeeze", fx_map_unsqueeze, "Squeeze"},
	{"torch.unsqueeze", fx_map_unsqueeze, "Unsqueeze"}, {"torch.chunk", fx_map_split, "chunk"},
	{"torch.split", fx_map_split, "split"}, {"torch.relu", fx_map_unary, "Relu"},
	{"torch.relu_", fx_map_unary, "Relu"}, {"torch.nn.functional.relu", fx_map_unary, "Relu"},
	{"torch.nn.functional.relu6", fx_map_relu6, NULL},
	{"torch.nn.functional.gelu", fx_map_gelu, NULL},
	{"torch.nn.functional.silu", fx_map_silu, NULL},
	{"torch.nn.functional.hardswish", fx_map_unary, "HardSwish"},
	{"torch.nn.functional.hardsigmoid", fx_map_hardsigmoid, NULL},
	{"torch.sigmoid", fx_map_unary, "Sigmoid"},
	{"torch.nn.functional.sigmoid", fx_map_unary, "Sigmoid"},
	{"torch.tanh", fx_map_unary, "Tanh"}, {"torch.nn.functional.tanh", fx_map_unary, "Tanh"},
	{"torch.nn.functional.leaky_relu", fx_map_leaky_relu, "LeakyRelu"},
	{"torch.nn.functional.elu", fx_map_unary, "Elu"},
	{"torch.nn.functional.softplus", fx_map_unary, "Softplus"},
	{"torch.nn.functional.mish", fx_map_unary, "Mish"}, {"torch.exp", fx_map_unary, "Exp"},
	{"torch.log", fx_map_unary, "Log"}, {"torch.sqrt", fx_map_unary, "Sqrt"},
	{"torch.abs", fx_map_unary, "Abs"}, {"torch.sin", fx_map_unary, "Sin"},
	{"torch.cos", fx_map_unary, "Cos"}, {"torch.erf", fx_map_unary, "Erf"},
	{"torch.floor", fx_map_unary, "Floor"}, {"torch.ceil", fx_map_unary, "Ceil"},
	{"torch.round", fx_map_unary, "Round"}, {"torch.reciprocal", fx_map_unary, "Reciprocal"},
	{"torch.clamp", fx_map_clamp, NULL}, {"torch.clip", fx_map_clamp, NULL},
	{"torch.softmax", fx_map_softmax, "Softmax"},
	{"torch.nn.functional.softmax", fx_map_softmax, "Softmax"},
	{"torch.log_softmax", fx_map_softmax, "LogSoftmax"},
	{"torch.nn.functional.log_softmax", fx_map_softmax, "LogSoftmax"},
	{"torch.nn.functional.layer_norm", fx_map_layer_norm_fn, NULL},
	{"torch.nn.functional.dropout", fx_map_identity, NULL},
	{"torch.dropout", fx_map_identity, NULL},
	{"torch.nn.functional.adaptive_avg_pool2d", fx_map_adaptive, "Average"},
	{"torch.nn.functional.adaptive_avg_pool1d", fx_map_adaptive, "Average"},
	{"torch.nn.functional.adaptive_max_pool2d", fx_map_adaptive, "Max"},
	{"torch.nn.functional.max_pool2d", fx_map_pool, "MaxPool"},
	{"torch.nn.functional.max_pool1d", fx_map_pool, "MaxPool"},
	{"torch.nn.functional.avg_pool2d", fx_map_pool, "AveragePool"},
	{"torch.nn.functional.interpolate", fx_map_resize, NULL},
	{"torch.nn.functional.pad", fx_map_pad, NULL},
	{"torch.nn.functional.linear", fx_map_linear_fn, NULL},
	{"torch.mean", fx_map_reduce, "ReduceMean"}, {"torch.sum", fx_map_reduce, "ReduceSum"},
	{"torch.amax", fx_map_reduce, "ReduceMax"}, {"torch.amin", fx_map_reduce, "ReduceMin"},
	{"torch.where", fx_map_where, NULL},
	/* names under which some functionals trace */
	{"torch._C._nn.linear", fx_map_linear_fn, NULL}, {"torch._C._nn.gelu", fx_map_gelu, NULL},
	{"torch.functional.split", fx_map_split, "split"}, {"torch._C._nn.silu", fx_map_silu, NULL},
	{"torch._C._nn.hardswish", fx_map_unary, "HardSwish"},
	{"torch._C._nn.hardsigmoid", fx_map_hardsigmoid, NULL},
	{"torch._C._nn.elu", fx_map_unary, "Elu"},
	{"torch._C._nn.softplus", fx_map_unary, "Softplus"},
	{"torch._C._nn.mish", fx_map_unary, "Mish"},
	{"torch._C._nn.leaky_relu", fx_map_leaky_relu, "LeakyRelu"},
	{"torch._C._nn.adaptive_avg_pool2d", fx_map_adaptive, "Average"},
	{"torch._C._nn.avg_pool2d", fx_map_pool, "AveragePool"},
	{"torch._C._nn.pad", fx_map_pad, NULL}, {"torch.max_pool2d", fx_map_pool, "MaxPool"},
	{"torch.adaptive_avg_pool1d", fx_map_adaptive, "Average"},
	{"torch.einsum", fx_map_einsum, NULL}, {"torch.functional.einsum", fx_map_einsum, NULL},
	{"torch.swapaxes", fx_map_transpose, "transpose"},
	{"torch.swapdims", fx_map_transpose, "transpose"},
	{"torchvision.ops.stochastic_depth.stochastic_depth", fx_map_stochastic_depth, NULL},
};

/* call_method names. */
static const fx_target METHODS[] = {
	{"view", fx_map_reshape, NULL}, {"reshape", fx_map_reshape, NULL},
	{"permute", fx_map_permute, NULL}, {"transpose", fx_map_transpose, "transpose"},
	{"t", fx_map_transpose, "t"}, {"flatten", fx_map_flatten, NULL},
	{"contiguous", fx_map_identity, NULL}, {"clone", fx_map_identity, NULL},
	{"detach", fx_map_identity, NULL}, {"cpu", fx_map_identity, NULL},
	{"cuda", fx_map_identity, NULL}, {"to", fx_map_cast, NULL}, {"type", fx_map_cast, NULL},
	{"float", fx_map_cast, NULL}, {"half", fx_map_cast, NULL}, {"double", fx_map_cast, NULL},
	{"int", fx_map_cast, NULL}, {"long", fx_map_cast, NULL}, {"bool", fx_map_cast, NULL},
	{"size", fx_map_size, NULL}, {"dim", fx_map_dim, NULL}, {"expand", fx_map_expand, "expand"},
	{"expand_as", fx_map_expand, "expand_as"}, {"repeat", fx_map_expand, "repeat"},
	{"unsqueeze", fx_map_unsqueeze, "Unsqueeze"}, {"squeeze", fx_map_unsqueeze, "Squeeze"},
	{"chunk", fx_map_split, "chunk"}, {"split", fx_map_split, "split"},
	{"mean", fx_map_reduce, "ReduceMean"}, {"sum", fx_map_reduce, "ReduceSum"},
	{"amax", fx_map_reduce, "ReduceMax"}, {"softmax", fx_map_softmax, "Softmax"},
	{"log_softmax", fx_map_softmax, "LogSoftmax"}, {"relu", fx_map_unary, "Relu"},
	{"relu_", fx_map_unary, "Relu"}, {"sigmoid", fx_map_unary, "Sigmoid"},
	{"tanh", fx_map_unary, "Tanh"}, {"exp", fx_map_unary, "Exp"},
	{"sqrt", fx_map_unary, "Sqrt"}, {"abs", fx_map_unary, "Abs"}, {"neg", fx_map_unary, "Neg"},
	{"log", fx_map_unary, "Log"}, {"add", fx_map_binary, "Add"}, {"add_", fx_map_binary, "Add"},
	{"sub", fx_map_binary, "Sub"}, {"mul", fx_map_binary, "Mul"},
	{"mul_", fx_map_binary, "Mul"}, {"div", fx_map_binary, "Div"},
	{"pow", fx_map_binary, "Pow"}, {"matmul", fx_map_matmul, NULL},
	{"bmm", fx_map_matmul, NULL}, {"masked_fill", fx_map_masked_fill, NULL},
	{"clamp", fx_map_clamp, NULL}, {"clip", fx_map_clamp, NULL},
	{"swapaxes", fx_map_transpose, "transpose"}, {"swapdims", fx_map_transpose, "transpose"},
};

/* call_module classes. */
static const fx_target MODULES[] = {
	{"Conv1d", fx_map_conv, "Conv"}, {"Conv2d", fx_map_conv, "Conv"},
	{"Conv3d", fx_map_conv, "Conv"}, {"ConvTranspose1d", fx_map_conv, "ConvTranspose"},
	{"ConvTranspose2d", fx_map_conv, "ConvTranspose"},
	{"ConvTranspose3d", fx_map_conv, "ConvTranspose"}, {"Linear", fx_map_linear, NULL},
	{"NonDynamicallyQuantizableLinear", fx_map_linear, NULL},
	{"BatchNorm1d", fx_map_batchnorm, "BatchNormalization"},
	{"BatchNorm2d", fx_map_batchnorm, "BatchNormalization"},
	{"BatchNorm3d", fx_map_batchnorm, "BatchNormalization"},
	{"SyncBatchNorm", fx_map_batchnorm, "BatchNormalization"},
	{"LayerNorm", fx_map_norm, "LayerNormalization"},
	{"GroupNorm", fx_map_norm, "GroupNormalization"},
	{"InstanceNorm1d", fx_map_norm, "InstanceNormalization"},
	{"InstanceNorm2d", fx_map_norm, "InstanceNormalization"},
	{"InstanceNorm3d", fx_map_norm, "InstanceNormalization"}, {"ReLU", fx_map_unary, "Relu"},
	{"ReLU6", fx_map_relu6, NULL}, {"GELU", fx_map_gelu, NULL}, {"SiLU", fx_map_silu, NULL},
	{"Sigmoid", fx_map_unary, "Sigmoid"}, {"Tanh", fx_map_unary, "Tanh"},
	{"Hardswish", fx_map_unary, "HardSwish"}, {"Hardsigmoid", fx_map_hardsigmoid, NULL},
	{"LeakyReLU", fx_map_leaky_relu, "LeakyRelu"}, {"ELU", fx_map_module_act, "Elu"},
	{"CELU", fx_map_module_act, "Celu"}, {"SELU", fx_map_unary, "Selu"},
	{"Softplus", fx_map_unary, "Softplus"}, {"Mish", fx_map_unary, "Mish"},
	{"Hardtanh", fx_map_module_act, "Hardtanh"}, {"PReLU", fx_map_prelu, NULL},
	{"Softmax", fx_map_softmax, "Softmax"}, {"LogSoftmax", fx_map_softmax, "LogSoftmax"},
	{"Identity", fx_map_identity, NULL}, {"Dropout", fx_map_identity, NULL},
	{"Dropout1d", fx_map_identity, NULL}, {"Dropout2d", fx_map_identity, NULL},
	{"Dropout3d", fx_map_identity, NULL}, {"AlphaDropout", fx_map_identity, NULL},
	{"Flatten", fx_map_flatten, NULL}, {"MaxPool1d", fx_map_pool, "MaxPool"},
	{"MaxPool2d", fx_map_pool, "MaxPool"}, {"MaxPool3d", fx_map_pool, "MaxPool"},
	{"AvgPool1d", fx_map_pool, "AveragePool"}, {"AvgPool2d", fx_map_pool, "AveragePool"},
	{"AvgPool3d", fx_map_pool, "AveragePool"},
	{"AdaptiveAvgPool1d", fx_map_adaptive, "Average"},
	{"AdaptiveAvgPool2d", fx_map_adaptive, "Average"},
	{"AdaptiveAvgPool3d", fx_map_adaptive, "Average"},
	{"AdaptiveMaxPool1d", fx_map_adaptive, "Max"},
	{"AdaptiveMaxPool2d", fx_map_adaptive, "Max"},
	{"AdaptiveMaxPool3d", fx_map_adaptive, "Max"}, {"Upsample", fx_map_resize, NULL},
	{"Embedding", fx_map_embedding, NULL}, {"MultiheadAttention", fx_map_mha, NULL},
};

static const fx_target *find_target(const fx_target *t, size_t n, const char *name)
{
	for (size_t i = 0; name && i < n; i++)
		if (!strcmp(t[i].name, name))
			return &t[i];
	return NULL;
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

size_t gr_fx_mapped_count(void);
size_t gr_fx_mapped_count(void)
{
	return COUNT(FUNCS) + COUNT(METHODS) + COUNT(MODULES);
}

gr_status fx_map_node(fx_ctx *c, fx_node *n)
{
	const fx_target *m = NULL;
	const char *module = NULL;

	if (!strcmp(n->op, "call_function"))
		m = find_target(FUNCS, COUNT(FUNCS), n->target);
	else if (!strcmp(n->op, "call_method"))
		m = find_target(METHODS, COUNT(METHODS), n->target);
	else if (!strcmp(n->op, "call_module")) {
		module = get_str(n->j, "module");
		if (!module)
			return fx_error(c, GR_ERR_FORMAT, "%s: call_module without 'module'", n->what);
		m = find_target(MODULES, COUNT(MODULES), module);
	} else
		return fx_error(c, GR_ERR_FORMAT, "%s: unknown op '%s'", n->what, n->op);
	if (!m)
		return fx_placeholder(c, n, module ? clean(c, module) : n->target);
	return m->fn(c, n, m->type);
}
