/* Published-measurement CSVs (data/published format): the strict line parser, the calibration
 * reader (header detection, rows kept and rows counted as left out, each kind of bad row with
 * file and line, all or nothing), and the runtime table (every runtime the shipped data names
 * is accepted and has a behaviour; canonical names). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/pubcsv.h"
#include "graphs/calibrate.h"
#include "graphs/transform.h"

#define HEADER "hardware,registry_id,mode,runtime,precision,model,zoo_model,mapping,batch,input_shape," \
	       "metric,value,power_w,source\n"

static char path[64];

static int setup(void **state)
{
	int fd;
	(void)state;
	snprintf(path, sizeof(path), "/tmp/graphs_test_pub_XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return unlink(path);
}

static void write_csv(const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Loads path; returns the status and leaves the message in msg. */
static gr_status load(gr_meas_set **set, size_t *n, char *msg, size_t size)
{
	gr_error err = {0};
	gr_status st;
	assert_int_equal(gr_meas_set_new(set, &err), GR_OK);
	st = gr_meas_load(*set, path, n, &err);
	snprintf(msg, size, "%s", err.msg);
	return st;
}

static void test_good_file(void **state)
{
	gr_meas_set *s;
	size_t n = 0;
	char msg[1200];
	const gr_meas_row *r;
	(void)state;
	write_csv(HEADER
		  "Hailo-8,hailo8,,hailo_dfc,int8,resnet_v1_18,resnet18,same_arch,1,1x3x224x224,throughput_fps,2533,,"
		  "\"hailo-ai/hailo_model_zoo docs@abc table 'Imagenet', FPS\"\r\n"
		  "Jetson,jetson_orin_agx_gpu,30w,TensorRT (DeepStream),amp,ResNet-50,resnet50,torchvision_exact,8,,"
		  "latency_ms,4.5,30.5,src\n"
		  "\n"
		  "X,,,tflite,int8,m,,,1,,latency_ms,1,,src\n"            /* no registry id: left out */
		  "X,qualcomm_qcs6490_npu,,tflite,w8a16,m,resnet18,same_arch,1,,latency_ms,1,,src\n" /* precision */
		  "X,hailo8,,warpdrive,int8,m,resnet18,same_arch,1,,latency_ms,1,,src\n" /* runtime */
		  "X,hailo8,,tensorrt,int8,m,resnet50,same_arch,,,throughput_fps,10,,src\n"); /* batch */
	assert_int_equal(load(&s, &n, msg, sizeof(msg)), GR_OK);
	assert_int_equal(n, 2);
	assert_int_equal(gr_meas_count(s), 2);
	r = gr_meas_at(s, 0);
	assert_true(r->published);
	assert_int_equal(r->kind, GR_MEAS_MODEL);
	assert_string_equal(r->hw, "hailo8");
	assert_string_equal(r->runtime, "hailo_dfc");
	assert_string_equal(r->model, "resnet18");
	assert_string_equal(r->published_model, "resnet_v1_18");
	assert_int_equal(r->metric, GR_METRIC_THROUGHPUT);
	assert_true(fabs(r->throughput_per_s - 2533) < 1e-9);
	assert_true(isnan(r->latency_s));
	assert_int_equal(r->precision, GR_PREC_INT8);
	assert_non_null(strstr(r->citation, "table 'Imagenet'"));
	r = gr_meas_at(s, 1);
	assert_string_equal(r->hw, "jetson_orin_agx_gpu:30w");
	assert_string_equal(r->runtime, "tensorrt_deepstream"); /* canonical spelling */
	assert_int_equal(r->precision, GR_PREC_FP16);              /* amp: fp16 where autocast puts it */
	assert_string_equal(r->precision_name, "amp");
	assert_int_equal(r->batch, 8);
	assert_int_equal(r->metric, GR_METRIC_LATENCY);
	assert_true(fabs(r->latency_s - 4.5e-3) < 1e-12);
	assert_true(fabs(r->avg_power_w - 30.5) < 1e-12);
	assert_int_equal(gr_meas_skipped_count(s), 4);
	assert_non_null(strstr(gr_meas_skipped(s), "1 without a registry_id or zoo_model"));
	assert_non_null(strstr(gr_meas_skipped(s), "(w8a16)"));
	assert_non_null(strstr(gr_meas_skipped(s), "(warpdrive)"));
	assert_non_null(strstr(gr_meas_skipped(s), "1 without a batch"));
	gr_meas_set_free(s);
}

/* Each kind of bad row: exit-2 class error naming the file and the line, nothing loaded. */
static void test_bad_rows(void **state)
{
	static const struct {
		const char *row, *says;
	} bad[] = {
		{"Hailo-8,hailo8,,hailo_dfc,int8,m,resnet18,same_arch,1,,throughput_fps,2533\n", "expected 14 fields"},
		{"H,hailo8,,hailo_dfc,int8,m,resnet18,same_arch,1,,throughput_fps,2533,,src,extra\n", "found 15"},
		{"H,hailo8,,hailo_dfc,int8,m,resnet18,same_arch,1,,throughput_fps,\"25,,src\n", "unterminated quote"},
		{"H,hailo8,,hailo_dfc,int8,m,resnet18,same_arch,0,,throughput_fps,2533,,src\n", "'batch'"},
		{"H,hailo8,,hailo_dfc,int8,m,resnet18,same_arch,1.5,,throughput_fps,2533,,src\n", "'batch'"},
		{"H,hailo8,,hailo_dfc,int8,m,resnet18,same_arch,1,,fps,2533,,src\n", "'metric'"},
		{"H,hailo8,,hailo_dfc,int8,m,resnet18,same_arch,1,,latency_ms,0,,src\n", "'value'"},
		{"H,hailo8,,hailo_dfc,int8,m,resnet18,same_arch,1,,latency_ms,-3,,src\n", "'value'"},
		{"H,hailo8,,hailo_dfc,int8,m,resnet18,same_arch,1,,latency_ms,inf,,src\n", "'value'"},
		{"H,hailo8,,hailo_dfc,int8,m,resnet18,same_arch,1,,latency_ms,1ms,,src\n", "'value'"},
		{"H,hailo8,,hailo_dfc,int8,m,resnet18,same_arch,1,,latency_ms,1,-2,src\n", "'power_w'"},
		{"H,hailo8,,hailo_dfc,int8,m,resnet18,same_arch,1,,latency_ms,1,watts,src\n", "'power_w'"},
		{"H,hailo8,,,int8,m,resnet18,same_arch,1,,latency_ms,1,,src\n", "'runtime' is empty"},
		{"H,hailo8,,hailo_dfc,int8,m,resnet18,same_arch,1,,latency_ms,1,,\n", "'source' is empty"},
		{",hailo8,,hailo_dfc,int8,m,resnet18,same_arch,1,,latency_ms,1,,src\n", "'hardware' is empty"},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[1024], msg[512], want[600];
		gr_meas_set *s;
		size_t n = 99;
		snprintf(text, sizeof(text), HEADER "H,hailo8,,hailo_dfc,int8,m,resnet18,same_arch,1,,latency_ms,1,,src\n%s",
			 bad[i].row);
		write_csv(text);
		assert_int_equal(load(&s, &n, msg, sizeof(msg)), GR_ERR_FORMAT);
		snprintf(want, sizeof(want), "'%s': line 3: ", path);
		if (!strstr(msg, want) || !strstr(msg, bad[i].says))
			fail_msg("row %zu: message '%s' lacks '%s' or '%s'", i, msg, want, bad[i].says);
		assert_int_equal(gr_meas_count(s), 0); /* all or nothing */
		assert_int_equal(gr_meas_skipped_count(s), 0);
		gr_meas_set_free(s);
	}
}

static void test_header_detection(void **state)
{
	gr_meas_set *s;
	size_t n;
	char msg[1200];
	(void)state;
	/* one column renamed: not the published format, and the error says which formats exist */
	write_csv("hardware,registry_id,mode,runtime,precision,model,zoo_model,mapping,batch,input_shape,"
		  "metric,value,watts,source\n");
	assert_int_equal(load(&s, &n, msg, sizeof(msg)), GR_ERR_FORMAT);
	assert_non_null(strstr(msg, "line 1"));
	assert_non_null(strstr(msg, "published-measurement"));
	gr_meas_set_free(s);
	/* the header alone: a valid, empty file */
	write_csv(HEADER);
	assert_int_equal(load(&s, &n, msg, sizeof(msg)), GR_OK);
	assert_int_equal(n, 0);
	gr_meas_set_free(s);
	/* the ground-truth format is still told apart */
	write_csv("hardware,precision,model,batch,device,thermal,total_latency_ms,total_flops,total_bytes,"
		  "subgraphs,date,source\ni7,fp32,resnet18,1,cpu,,12.5,1,1,1,2026-01-01,x\n");
	assert_int_equal(load(&s, &n, msg, sizeof(msg)), GR_OK);
	assert_int_equal(n, 1);
	assert_false(gr_meas_at(s, 0)->published);
	gr_meas_set_free(s);
}

static void test_line_parser(void **state)
{
	char line[] = "Hailo-8,hailo8,,hailo_dfc,int8,x,resnet18,same_arch,8,8x3x224x224,throughput_fps,1e3,2.5,s";
	char why[160], tail[32];
	gr_pub_row r;
	(void)state;
	assert_int_equal(gr_pub_parse(line, &r, why, sizeof(why)), 0);
	assert_int_equal(r.batch, 8);
	assert_int_equal(r.metric, GR_PUB_THROUGHPUT_FPS);
	assert_true(r.value == 1000 && r.power_w == 2.5);
	assert_string_equal(gr_pub_shape_tail(r.input_shape, tail, sizeof(tail)), "3x224x224");
	assert_string_equal(gr_pub_shape_tail("1x384", tail, sizeof(tail)), "384");
	assert_string_equal(gr_pub_shape_tail("", tail, sizeof(tail)), "");
	assert_string_equal(gr_pub_metric_name(GR_PUB_LATENCY_MS), "latency_ms");
}

/* Every runtime named in data/published has a rule set with a behaviour. */
static void test_runtimes_of_shipped_data(void **state)
{
	static const char *const files[] = {"hailo_model_zoo", "qai_hub_models", "nvidia_dle", "rknn_model_zoo",
					    "ultralytics_docs", "mlperf_inference_v1.1"};
	size_t checked = 0;
	(void)state;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char p[512], *line = NULL;
		size_t cap = 0;
		FILE *f;
		snprintf(p, sizeof(p), GRAPHS_SOURCE_DIR "/data/published/%s.csv", files[i]);
		f = fopen(p, "r");
		if (!f)
			fail_msg("cannot open %s", p);
		while (getline(&line, &cap, f) > 0) {
			char why[160];
			gr_pub_row r;
			const gr_fusion_rules *rules;
			line[strcspn(line, "\r\n")] = 0;
			if (!strncmp(line, "hardware,", 9) || !*line)
				continue;
			if (gr_pub_parse(line, &r, why, sizeof(why)))
				fail_msg("%s: %s", p, why); /* the shipped data is well-formed */
			rules = gr_fusion_rules_find(r.runtime);
			if (!rules)
				fail_msg("%s: runtime '%s' has no rule set", p, r.runtime);
			assert_true(!strcmp(rules->behaviour, "eager") || !strcmp(rules->behaviour, "graph_compiler") ||
				    !strcmp(rules->behaviour, "dataflow"));
			checked++;
		}
		free(line);
		fclose(f);
	}
	assert_true(checked > 1000);
}

static void test_runtime_table(void **state)
{
	char buf[1024];
	(void)state;
	assert_string_equal(gr_fusion_rules_find("pytorch")->behaviour, "eager");
	assert_string_equal(gr_fusion_rules_find("tensorflow")->behaviour, "eager");
	assert_string_equal(gr_fusion_rules_find("tensorrt")->behaviour, "graph_compiler");
	assert_string_equal(gr_fusion_rules_find("tflite")->behaviour, "graph_compiler");
	assert_string_equal(gr_fusion_rules_find("qnn")->behaviour, "graph_compiler");
	assert_string_equal(gr_fusion_rules_find("rknn")->behaviour, "graph_compiler");
	assert_string_equal(gr_fusion_rules_find("openvino")->behaviour, "graph_compiler");
	assert_string_equal(gr_fusion_rules_find("hailo_dfc")->behaviour, "dataflow");
	assert_non_null(gr_fusion_rules_find("compiler"));
	assert_non_null(gr_fusion_rules_find("onnxruntime"));
	assert_null(gr_fusion_rules_find("warpdrive"));
	assert_null(gr_fusion_rules_find(""));
	assert_string_equal(gr_fusion_rules_find("TFLite_EdgeTPU (libedgetpu1-max)")->name,
			    "tflite_edgetpu_libedgetpu1_max");
	assert_string_equal(gr_runtime_canonical("  RKNN (rknpu1) ", buf, sizeof(buf)), "rknn_rknpu1");
	gr_fusion_rules_names(buf, sizeof(buf));
	assert_non_null(strstr(buf, "pytorch, onnxruntime, tensorrt"));
	assert_non_null(strstr(buf, "hailo_dfc"));
	assert_int_equal(gr_fusion_rules_count() > 30, 1);
	/* the eager runtimes keep every op's traffic, compilers fuse it */
	assert_int_equal(gr_fusion_rules_find("tensorflow")->fused_memory, 0);
	assert_int_equal(gr_fusion_rules_find("qnn_dlc")->fused_memory, 1);
}

/* The published layer placement (ai-hub-models' layer_counts in the source column): layers on
 * another unit than the hardware column's are counted, so that fits leave the row out; and the
 * shipped data carries it (ViT int8 under ONNX Runtime's QNN execution provider puts 72 layers
 * on the QCS8550's CPU). */
static void test_layer_placement(void **state)
{
	gr_meas_set *s;
	size_t n = 0, mixed = 0, placed = 0;
	char msg[1200];
	gr_error err = {0};
	(void)state;
	write_csv(HEADER
		  "QCS8550 (Proxy) (qualcomm-qcs8550-proxy) NPU,qualcomm_qcs8550_npu,,onnxruntime,int8,VIT,vit_b_16,"
		  "torchvision_exact,1,1x3x224x224,latency_ms,258.475,,\"perf.yaml (job j; layer_counts total 1302, "
		  "npu 1230, cpu 72; onnx_runtime 1.23.0)\"\n"
		  "RB3 (qualcomm-qcs6490) NPU,qualcomm_qcs6490_npu,,tflite,int8,DenseNet-121,densenet121,"
		  "torchvision_exact,1,,latency_ms,63.5,,\"(job j; layer_counts total 698, cpu 122, gpu 2, npu 574; )\"\n"
		  "RB3 (qualcomm-qcs6490) NPU,qualcomm_qcs6490_npu,,tflite,int8,ResNet50,resnet50,torchvision_exact,1,,"
		  "latency_ms,1,,\"(job j; layer_counts total 82, npu 82; tflite 2.17.0)\"\n"
		  "RB3 (qualcomm-qcs6490) CPU,qualcomm_qcs6490,,onnxruntime,int8,ResNet50,resnet50,torchvision_exact,1,,"
		  "latency_ms,32,,\"(job j; layer_counts total 83, cpu 83; )\"\n"
		  "X,qualcomm_qcs6490_npu,,tflite,int8,m,resnet18,same_arch,1,,latency_ms,1,,no placement\n");
	assert_int_equal(load(&s, &n, msg, sizeof(msg)), GR_OK);
	assert_int_equal(n, 5);
	assert_int_equal(gr_meas_at(s, 0)->layers_elsewhere, 72);
	assert_int_equal(gr_meas_at(s, 1)->layers_elsewhere, 124);
	assert_int_equal(gr_meas_at(s, 2)->layers_elsewhere, 0);
	assert_int_equal(gr_meas_at(s, 3)->layers_elsewhere, 0); /* all on its own unit, the CPU */
	assert_int_equal(gr_meas_at(s, 4)->layers_elsewhere, 0);
	gr_meas_set_free(s);
	assert_int_equal(gr_meas_set_new(&s, &err), GR_OK);
	assert_int_equal(gr_meas_load(s, GRAPHS_SOURCE_DIR "/data/published/qai_hub_models.csv", &n, &err), GR_OK);
	for (size_t i = 0; i < gr_meas_count(s); i++) {
		const gr_meas_row *r = gr_meas_at(s, i);
		placed += strstr(r->citation, "layer_counts ") != NULL;
		if (r->layers_elsewhere && !strcmp(r->hw, "qualcomm_qcs8550_npu") && !strcmp(r->model, "vit_b_16") &&
		    !strcmp(r->runtime, "onnxruntime_qnn") && r->precision == GR_PREC_INT8) {
			assert_int_equal(r->layers_elsewhere, 72);
			mixed++;
		}
	}
	assert_int_equal(mixed, 1);
	assert_true(placed > 100);
	gr_meas_set_free(s);
	/* a source whose own figures put most of the step on the host says so; the shipped Coral
	 * tables: SSD MobileNet v1 (6.5 ms over USB, 11 ms on the Dev Board) is left out, MobileNet
	 * v1 (2.4 ms behind both) is not */
	assert_int_equal(gr_meas_set_new(&s, &err), GR_OK);
	assert_int_equal(gr_meas_load(s, GRAPHS_SOURCE_DIR "/data/published/coral_edgetpu.csv", &n, &err), GR_OK);
	mixed = placed = 0;
	for (size_t i = 0; i < gr_meas_count(s); i++) {
		const gr_meas_row *r = gr_meas_at(s, i);
		if (!strcmp(r->hw, "google_coral_edge_tpu") && !strcmp(r->model, "ssd_mobilenet_v1"))
			mixed += r->layers_elsewhere > 0;
		if (!strcmp(r->hw, "google_coral_edge_tpu") && !strcmp(r->model, "mobilenet_v1"))
			placed += r->layers_elsewhere == 0;
	}
	assert_int_equal(mixed, 2);
	assert_int_equal(placed, 2);
	gr_meas_set_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_good_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_header_detection, setup, teardown),
		cmocka_unit_test(test_line_parser),
		cmocka_unit_test(test_runtimes_of_shipped_data),
		cmocka_unit_test(test_runtime_table),
		cmocka_unit_test_setup_teardown(test_layer_placement, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
