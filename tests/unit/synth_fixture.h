/* Synthetic measurements for calibration tests: a profile with round coefficients for the i7,
 * and the subgraph and model rows it predicts for zoo models, as CSV files loaded into a set.
 * Static, like the other fixtures: include after cmocka, tmpdir_fixture.h and calib_impl.h. */
#ifndef GRAPHS_TEST_SYNTH_FIXTURE_H
#define GRAPHS_TEST_SYNTH_FIXTURE_H

/* A profile in memory with round coefficients, applying to the i7. */
static gr_profile *known_profile(void)
{
	gr_profile *p = calloc(1, sizeof(*p));
	otm_prec *cp = &p->tm.prec[GR_PREC_FP32];
	p->version = 1;
	snprintf(p->tm.hw, sizeof(p->tm.hw), "intel_core_i7_12700k");
	snprintf(p->tm.runtime, sizeof(p->tm.runtime), "pytorch");
	snprintf(p->tm.label, sizeof(p->tm.label), "known");
	cp->present = 1;
	cp->bytes_per_elem = 4;
	cp->llc_bytes = 25e6;
	for (int k = 0; k < CC_COUNT; k++) {
		cp->cls[k].fitted = 1;
		cp->cls[k].points = 100;
		cp->cls[k].f_max = cp->cls[k].b_max = 1e30;
		cp->cls[k].batch_min = 1;
		cp->cls[k].batch_max = 64;
		cp->cls[k].coef[CF_OP] = 10e-6;
		cp->cls[k].coef[CF_BYTES] = 1.0 / 20e9;
	}
	cp->cls[GR_KC_CONV].coef[CF_FLOPS] = 1.0 / 400e9;
	cp->cls[GR_KC_DWCONV].coef[CF_FLOPS] = 1.0 / 40e9;
	cp->cls[GR_KC_GEMM].coef[CF_FLOPS] = 1.0 / 200e9;
	cp->cls[GR_KC_CONV].coef[CF_OP] = 30e-6;
	cp->glob[CG_KERNEL] = 5e-6;
	return p;
}

static const int64_t batches[] = {1, 4, 16};
static size_t synth_batches = 3; /* how many of batches[] synthesize() writes */
static const char *synth_model;  /* a model file synthesize() measures instead of the zoo's */
static double synth_gemm_slow = 1; /* GEMM ops measure this much slower (noise) */
static const char *synth_also;     /* a zoo model measured besides the first n_models */
static int synth_row_per_kernel;   /* a row per kernel, named by its ops' modules (a module's
				    * kernels timed apart), each timed with its own ops */

/* 1 when the '|' list names module mod (a whole entry, not a prefix of one). */
static int names(const char *list, const char *mod)
{
	size_t l = strlen(mod);
	for (const char *q = strstr(list, mod); q; q = strstr(q + 1, mod))
		if ((q == list || q[-1] == '|') && (q[l] == 0 || q[l] == '|'))
			return 1;
	return 0;
}

/* Measurements made up by a known profile: standalone subgraph rows named by their ops' modules,
 * one per module (kernels that share one are one row), each timed as one launch plus the ops
 * calibration's matching gives it, and one row per model (a launch per kernel, every op), for
 * the first n_models models (and synth_also) at batches 1, 4, 16; loaded into a new set. */
static gr_meas_set *synthesize(gr_calib_cache *c, const gr_profile *known, size_t n_models)
{
	static const char *models[] = {"resnet18", "mobilenet_v2", "efficientnet_b0", "resnet50", "vgg11",
				       "mobilenet_v3_small"};
	gr_meas_set *s;
	gr_error err = {0};
	FILE *fm = fopen(tmp("synthetic_models.csv"), "w"), *fs = fopen(tmp("synthetic_subgraphs.csv"), "w");
	const otm_prec *cp = &known->tm.prec[GR_PREC_FP32];
	assert_non_null(fm);
	assert_non_null(fs);
	fprintf(fm, "hardware,precision,model,batch,device,thermal,total_latency_ms,total_flops,total_bytes,"
		    "subgraphs,date,source\n");
	fprintf(fs, "hardware,precision,model,batch,subgraph,pattern,optype,flops,bytes,latency_ms,"
		    "latency_std_ms,nodes\n");
	for (size_t m = 0; m < n_models + (synth_also != NULL) && m < 7; m++)
		for (size_t b = 0; b < synth_batches; b++) {
			calib_model *cm;
			double total = 0;
			const char *name = m == n_models ? synth_also : synth_model ? synth_model : models[m];
			size_t nk, nr = 0;
			char(*rn)[2048];
			gr_meas_row *rows, **rp;
			int *node_row;
			double *rt;
			assert_int_equal(calib_cache_model(c, name, batches[b], "pytorch", GR_CONV_PATH_FLOAT, &cm, &err), GR_OK);
			nk = gr_partition_count(cm->p);
			rn = calloc(nk, sizeof(*rn));
			rows = calloc(nk, sizeof(*rows));
			rp = calloc(nk, sizeof(*rp));
			rt = calloc(nk, sizeof(*rt));
			node_row = calloc(cm->n_nodes + 1, sizeof(int));
			assert_true(rn && rows && rp && rt && node_row);
			/* a row per module, as a harness times it: the kernels of one module (vit's attention
			 * runs in several) are one row, or the fit reads all its ops against its first kernel */
			for (size_t k = 0; k < nk; k++) {
				char nodes[2048] = "";
				size_t len = 0, r;
				for (size_t i = 0; i < cm->n_nodes; i++)
					if ((cm->kernel_of[i] == (int)k || cm->view_kernel[i] == (int)k) && cm->module[i][0] &&
					    len + strlen(cm->module[i]) + 2 < sizeof(nodes) && !names(nodes, cm->module[i]))
						len += (size_t)snprintf(nodes + len, sizeof(nodes) - len, "%s%s", len ? "|" : "",
									cm->module[i]);
				for (r = synth_row_per_kernel ? nr : 0; r < nr && nodes[0]; r++) {
					const char *a = nodes;
					int shared = 0;
					while (a && *a && !shared) {
						const char *e = strchr(a, '|');
						size_t l = e ? (size_t)(e - a) : strlen(a);
						for (const char *q = strstr(rn[r], a); q && !shared; q = strstr(q + 1, a))
							shared = !strncmp(q, a, l) && (q == rn[r] || q[-1] == '|') &&
								 (q[l] == 0 || q[l] == '|');
						a = e ? e + 1 : NULL;
					}
					if (shared)
						break;
				}
				if (r == nr || !nodes[0]) {
					r = nr++;
					snprintf(rn[r], sizeof(rn[r]), "%s", nodes[0] ? nodes : "x");
					if (!nodes[0] && synth_row_per_kernel) /* one row per kernel, none shared */
						snprintf(rn[r], sizeof(rn[r]), "x%zu", k);
				}
				total += cp->glob[CG_KERNEL];
			}
			/* each row measures one launch and the ops the fit's matching gives it */
			for (size_t r = 0; r < nr; r++) {
				rows[r].kind = GR_MEAS_SUBGRAPH;
				rows[r].standalone = 1;
				rows[r].subgraph = (int)r;
				rows[r].nodes = rn[r];
				rp[r] = &rows[r];
				rt[r] = cp->glob[CG_KERNEL];
			}
			calib_match(cm, (const gr_meas_row *const *)rp, nr, node_row, NULL);
			for (size_t i = 0; i < cm->n_nodes; i++) {
				double t = otm_node_time(cp, &cm->nodes[i], batches[b], NULL) *
					   (cm->nodes[i].cls == GR_KC_GEMM ? synth_gemm_slow : 1);
				int kr = cm->kernel_of[i] >= 0 ? cm->kernel_of[i] : cm->view_kernel[i];
				total += t;
				/* ops of no module are timed where the matching puts them, as a row per
				 * module has them */
				if (synth_row_per_kernel && kr >= 0 && cm->module[i][0])
					rt[kr] += t;
				else if (synth_row_per_kernel && node_row[i] >= 0)
					rt[node_row[i]] += t;
				else if (!synth_row_per_kernel && node_row[i] >= 0)
					rt[node_row[i]] += t;
			}
			for (size_t r = 0; r < nr; r++)
				fprintf(fs, "intel_core_i7_12700k,fp32,%s,%lld,%zu,P,op,0,0,%.9f,0,%s\n", name,
					(long long)batches[b], r, rt[r] * 1e3, rn[r]);
			free(rn);
			free(rows);
			free(rp);
			free(rt);
			free(node_row);
			fprintf(fm, "intel_core_i7_12700k,fp32,%s,%lld,cpu,,%.9f,0,0,1,,synthetic\n", name,
				(long long)batches[b], total * 1e3);
		}
	fclose(fm);
	fclose(fs);
	assert_int_equal(gr_meas_set_new(&s, &err), GR_OK);
	assert_int_equal(gr_meas_load(s, tmp("synthetic_models.csv"), NULL, &err), GR_OK);
	assert_int_equal(gr_meas_load(s, tmp("synthetic_subgraphs.csv"), NULL, &err), GR_OK);
	return s;
}

#endif
