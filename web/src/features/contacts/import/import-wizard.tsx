"use client";

import { CheckCircle2, Download, FileUp, RotateCcw } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import * as React from "react";

import { problemMessage } from "@/api/problem";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Progress } from "@/components/ui/progress";
import { Select } from "@/components/ui/select";
import { ErrorState, LoadingState, Spinner } from "@/components/ui/states";
import {
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from "@/components/ui/table";
import { toast } from "@/components/ui/toast";
import { formatCount } from "@/lib/format";

import { parseTags, tagsProblem } from "../schemas";
import {
  type CsvHead,
  guessMapping,
  mappingProblems,
  readHead,
  slug,
  TARGET_LABELS,
  type Target,
} from "./csv-head";
import { downloadErrors, isFinished, useImportJob } from "./hooks";
import { uploadImport } from "./upload";

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

const MAX_UPLOAD = 200 * 1024 * 1024;

function PickStep({ onPicked }: { onPicked: (file: File, head: CsvHead) => void }) {
  const [error, setError] = React.useState<string | null>(null);
  const [dragging, setDragging] = React.useState(false);
  const take = async (file: File | undefined) => {
    if (!file) return;
    if (file.size > MAX_UPLOAD) {
      setError(`The file is ${formatBytes(file.size)}; uploads over 200 MB are refused.`);
      return;
    }
    try {
      const head = await readHead(file);
      if (head.headers.length === 0) {
        setError("The file is empty.");
        return;
      }
      setError(null);
      onPicked(file, head);
    } catch {
      setError("The file could not be read.");
    }
  };
  return (
    <Card>
      <CardHeader>
        <CardTitle>1. Choose a CSV file</CardTitle>
        <CardDescription>
          One contact per row, with a header row. A phone column is needed; names, email, tags and
          any other column can come along. Up to 200 MB.
        </CardDescription>
      </CardHeader>
      <CardContent>
        <label
          htmlFor="csv-file"
          onDragOver={(e) => {
            e.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={(e) => {
            e.preventDefault();
            setDragging(false);
            void take(e.dataTransfer.files[0]);
          }}
          className={
            "flex cursor-pointer flex-col items-center gap-2 rounded-lg border-2 border-dashed px-6 py-10 text-center transition-colors focus-within:border-ring " +
            (dragging ? "border-primary bg-accent" : "hover:bg-muted/50")
          }
        >
          <FileUp className="size-6 text-muted-foreground" aria-hidden="true" />
          <span className="text-sm font-medium">Drop a CSV file here, or choose one</span>
          <span className="text-xs text-muted-foreground">
            .csv or .txt, comma, semicolon or tab separated
          </span>
          <input
            id="csv-file"
            type="file"
            accept=".csv,.txt,text/csv,text/plain"
            aria-label="CSV file"
            aria-describedby={error ? "csv-file-error" : undefined}
            className="sr-only"
            onChange={(e) => void take(e.target.files?.[0])}
          />
        </label>
        {error ? (
          <p id="csv-file-error" role="alert" className="mt-2 text-sm font-medium text-destructive">
            {error}
          </p>
        ) : null}
      </CardContent>
    </Card>
  );
}

const TARGETS = Object.keys(TARGET_LABELS);

function MapStep({
  file,
  head,
  onBack,
  onStarted,
}: {
  file: File;
  head: CsvHead;
  onBack: () => void;
  onStarted: (jobId: string) => void;
}) {
  const [mapping, setMapping] = React.useState<Record<string, Target>>(() =>
    guessMapping(head.headers),
  );
  const [tags, setTags] = React.useState("");
  const [onDuplicate, setOnDuplicate] = React.useState<"update" | "skip">("update");
  const [region, setRegion] = React.useState("");
  const [submitted, setSubmitted] = React.useState(false);
  const [sent, setSent] = React.useState<number | null>(null);
  const [serverError, setServerError] = React.useState<string | null>(null);
  const problems = mappingProblems(mapping);
  const tagProblem = tagsProblem(tags);
  const regionProblem =
    region && !/^[A-Za-z]{2}$/.test(region) ? "Two letters, e.g. US or GB." : null;
  const shown = submitted ? problems : {};

  const start = async () => {
    setSubmitted(true);
    if (Object.keys(problems).length || tagProblem || regionProblem) return;
    setServerError(null);
    setSent(0);
    try {
      const job = await uploadImport(
        file,
        { mapping, tags: parseTags(tags), onDuplicate, defaultRegion: region.toUpperCase() },
        (done) => setSent(done),
      );
      onStarted(job.id);
    } catch (error) {
      setServerError(problemMessage(error));
      setSent(null);
    }
  };

  return (
    <Card>
      <CardHeader>
        <CardTitle>2. Match the columns</CardTitle>
        <CardDescription>
          {file.name} · {formatBytes(file.size)}. The first rows are shown; the whole file is read
          on the server.
        </CardDescription>
      </CardHeader>
      <CardContent className="grid gap-5">
        <Table aria-label="Columns of the file">
          <TableHeader>
            <TableRow>
              <TableHead>Column</TableHead>
              <TableHead>First rows</TableHead>
              <TableHead className="w-72">Import as</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {head.headers.map((column, i) => {
              const target = mapping[column] ?? "ignore";
              const custom = target.startsWith("fields.");
              const id = `map-${i}`;
              return (
                <TableRow key={column}>
                  <TableCell className="font-medium">{column}</TableCell>
                  <TableCell className="max-w-80">
                    <ul className="grid gap-0.5 text-xs text-muted-foreground">
                      {head.rows.slice(0, 3).map((row, r) => (
                        <li key={r} className="truncate">
                          {row[i] || "—"}
                        </li>
                      ))}
                    </ul>
                  </TableCell>
                  <TableCell>
                    <div className="grid gap-1.5">
                      <Select
                        id={id}
                        aria-label={`Import ${column} as`}
                        aria-invalid={shown[column] ? true : undefined}
                        aria-describedby={shown[column] ? `${id}-error` : undefined}
                        value={custom ? "custom" : target}
                        onChange={(e) => {
                          const v = e.target.value;
                          setMapping((m) => ({
                            ...m,
                            [column]:
                              v === "custom" ? `fields.${slug(column) || "column"}` : (v as Target),
                          }));
                        }}
                      >
                        {TARGETS.map((t) => (
                          <option key={t} value={t}>
                            {TARGET_LABELS[t]}
                          </option>
                        ))}
                        <option value="custom">Custom field…</option>
                      </Select>
                      {custom ? (
                        <Input
                          aria-label={`Custom field name for ${column}`}
                          value={target.slice(7)}
                          maxLength={64}
                          onChange={(e) =>
                            setMapping((m) => ({ ...m, [column]: `fields.${e.target.value}` }))
                          }
                        />
                      ) : null}
                      {shown[column] ? (
                        <p
                          id={`${id}-error`}
                          role="alert"
                          className="text-xs font-medium text-destructive"
                        >
                          {shown[column]}
                        </p>
                      ) : null}
                    </div>
                  </TableCell>
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
        {shown._form ? <Alert variant="error">{shown._form}</Alert> : null}
        <div className="grid gap-4 sm:grid-cols-3">
          <Field
            id="import-tags"
            label="Tag every imported contact"
            error={submitted ? (tagProblem ?? undefined) : undefined}
            hint="Optional, separated by commas"
          >
            <Input
              value={tags}
              onChange={(e) => setTags(e.target.value)}
              placeholder="spring-fair"
            />
          </Field>
          <Field id="import-duplicates" label="A number already in contacts">
            <Select
              value={onDuplicate}
              onChange={(e) => setOnDuplicate(e.target.value as "update" | "skip")}
            >
              <option value="update">Update that contact</option>
              <option value="skip">Skip the row</option>
            </Select>
          </Field>
          <Field
            id="import-region"
            label="Country of numbers without +"
            error={submitted ? (regionProblem ?? undefined) : undefined}
            hint="Two letters; your workspace's when empty"
          >
            <Input
              value={region}
              maxLength={2}
              onChange={(e) => setRegion(e.target.value)}
              placeholder="US"
            />
          </Field>
        </div>
        {serverError ? <Alert variant="error">{serverError}</Alert> : null}
        {sent !== null ? (
          <div className="grid gap-1">
            <Progress
              value={file.size ? Math.min(100, Math.round((sent / file.size) * 100)) : 0}
              aria-label="Upload"
            />
            <p className="text-xs text-muted-foreground tabular-nums">
              Uploading {formatBytes(sent)} of {formatBytes(file.size)}
            </p>
          </div>
        ) : null}
        <div className="flex flex-wrap justify-between gap-2">
          <Button variant="outline" onClick={onBack} disabled={sent !== null}>
            Choose another file
          </Button>
          <Button onClick={() => void start()} disabled={sent !== null}>
            {sent !== null ? (
              <Spinner className="text-primary-foreground" label="Uploading" />
            ) : null}
            Start import
          </Button>
        </div>
      </CardContent>
    </Card>
  );
}

function Count({ label, value }: { label: string; value: number }) {
  return (
    <div className="grid gap-0.5 rounded-lg border p-3">
      <dt className="text-xs font-medium text-muted-foreground">{label}</dt>
      <dd className="text-xl font-semibold tabular-nums">{formatCount(value)}</dd>
    </div>
  );
}

export function ImportProgress({ id, onAnother }: { id: string; onAnother: () => void }) {
  const job = useImportJob(id);
  const [downloading, setDownloading] = React.useState(false);
  if (job.isPending) return <LoadingState rows={3} label="Loading the import" />;
  if (job.isError) {
    return <ErrorState error={problemMessage(job.error)} onRetry={() => void job.refetch()} />;
  }
  const j = job.data;
  const done = isFinished(j);
  const percent =
    j.status === "completed"
      ? 100
      : j.bytes_total
        ? Math.floor((j.bytes_done / j.bytes_total) * 100)
        : 0;
  return (
    <Card>
      <CardHeader>
        <CardTitle>3. Import {j.filename ? `of ${j.filename}` : ""}</CardTitle>
        <CardDescription aria-live="polite">
          {j.status === "queued"
            ? "Waiting to start…"
            : j.status === "running"
              ? `Importing… ${percent}%`
              : j.status === "completed"
                ? "Done."
                : j.status === "failed"
                  ? "The import failed."
                  : "Cancelled."}
        </CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4">
        <Progress value={percent} aria-label={`Import progress: ${percent}%`} />
        <dl className="grid grid-cols-2 gap-3 sm:grid-cols-4" aria-label="Rows">
          <Count label="Rows read" value={j.rows_read} />
          <Count label="Imported" value={j.rows_created + j.rows_updated} />
          <Count label="Duplicates skipped" value={j.rows_skipped} />
          <Count label="Rejected" value={j.rows_failed} />
        </dl>
        {j.status === "completed" ? (
          <Alert variant="info">
            <CheckCircle2 aria-hidden="true" />
            <span>
              {formatCount(j.rows_created)} new, {formatCount(j.rows_updated)} updated
              {j.rows_failed
                ? `, ${formatCount(j.rows_failed)} rejected: see the error report.`
                : "."}
            </span>
          </Alert>
        ) : null}
        {j.status === "failed" && j.error ? <Alert variant="error">{j.error}</Alert> : null}
        {done ? (
          <div className="flex flex-wrap gap-2">
            {j.errors_url ? (
              <Button
                variant="outline"
                disabled={downloading}
                onClick={async () => {
                  setDownloading(true);
                  try {
                    await downloadErrors(j);
                  } catch (error) {
                    toast.error("Could not download the report", problemMessage(error));
                  } finally {
                    setDownloading(false);
                  }
                }}
              >
                <Download aria-hidden="true" /> Download the error report
              </Button>
            ) : null}
            <Button variant="outline" onClick={onAnother}>
              <RotateCcw aria-hidden="true" /> Import another file
            </Button>
            <Button asChild>
              <Link href="/contacts">View contacts</Link>
            </Button>
          </div>
        ) : null}
      </CardContent>
    </Card>
  );
}

/** Upload -> mapping with a preview -> live progress; the job id goes in the URL, so a
 * reload (or a link) shows the same import. */
export function ImportWizard({ jobId }: { jobId: string }) {
  const router = useRouter();
  const [picked, setPicked] = React.useState<{ file: File; head: CsvHead } | null>(null);
  if (jobId) {
    return (
      <ImportProgress
        id={jobId}
        onAnother={() => {
          setPicked(null);
          router.replace("/contacts/import");
        }}
      />
    );
  }
  if (!picked) return <PickStep onPicked={(file, head) => setPicked({ file, head })} />;
  return (
    <MapStep
      file={picked.file}
      head={picked.head}
      onBack={() => setPicked(null)}
      onStarted={(id) => router.replace(`/contacts/import?id=${id}`)}
    />
  );
}
